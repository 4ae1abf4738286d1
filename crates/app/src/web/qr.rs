//! QR codes, made on the server with `qrcode`: as SVG inside pages, as PNG in mail (mail clients
//! block SVG).

/// `text` as a QR code in SVG, to put inside a page.
pub fn svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    // Inside HTML the XML declaration is noise: the drawing starts at its <svg> element.
    svg.find("<svg").map(|i| svg[i..].to_owned())
}

/// `text` as a QR code in PNG (mail clients block SVG): 8 pixels a module, with the quiet zone
/// of 4 modules that scanners need.
pub fn png(text: &str) -> Option<Vec<u8>> {
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let (w, colors) = (code.width(), code.to_colors());
    let side = u32::try_from((w + 2 * QUIET) * SCALE).ok()?;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / SCALE, y as usize / SCALE);
        let inside = (QUIET..w + QUIET).contains(&mx) && (QUIET..w + QUIET).contains(&my);
        let dark = inside && colors[(my - QUIET) * w + (mx - QUIET)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_a_picture_scanners_can_read() {
        let url = "https://alongside.example/checkin/ev1.1800000000000.u1.c2lnbmF0dXJl";
        let svg = svg(url).expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"), "{svg}");
        let png = png(url).expect("png");
        let img = image::load_from_memory(&png).expect("a picture").to_luma8();
        assert_eq!(img.width(), img.height());
        // The quiet zone is white; the finder pattern's corner just inside it is black.
        assert_eq!(img.get_pixel(0, 0).0, [255]);
        assert_eq!(img.get_pixel(4 * 8, 4 * 8).0, [0]);
    }
}
