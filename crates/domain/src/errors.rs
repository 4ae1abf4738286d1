//! Field-level validation errors, shared by every form and API endpoint.

use serde::Serialize;

/// One problem with one input field, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input's name, as in the form or the JSON body.
    pub field: String,
    /// What is wrong and how to fix it.
    pub detail: String,
}

/// The problems found in one submission; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A single error.
    pub fn one(field: &str, detail: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, detail);
        e
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, detail: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), detail: detail.into() });
    }

    /// Records the error of a check, if it failed, and passes its value on.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(detail) => {
                self.add(field, detail);
                None
            }
        }
    }

    /// True when nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    /// All errors in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(())` when empty, otherwise the errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}
