// The first-run page: an empty time zone field takes the device's zone, which the person can
// change. Without JavaScript the field stays empty and the city's zone is used.
document.querySelectorAll('input[data-browser-zone]').forEach((field) => {
  if (field.value === '') {
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (_) {
      // An old browser: the city decides.
    }
  }
});
