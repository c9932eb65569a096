//! Placeholder until NumPy printing lands.
pub(crate) enum Values<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I64(&'a [i64]),
    #[allow(dead_code)]
    Bool(&'a [bool]),
}
pub(crate) fn format_array(values: Values<'_>, _shape: &[usize]) -> String {
    match values {
        Values::F32(v) => format!("{v:?}"),
        Values::F64(v) => format!("{v:?}"),
        Values::I64(v) => format!("{v:?}"),
        Values::Bool(v) => format!("{v:?}"),
    }
}
