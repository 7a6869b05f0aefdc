//! Python `datetime` ⇄ the core's `UtcTime`.

use dynamorm_core::schema::UtcTime;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyDateAccess, PyDateTime, PyDelta, PyDeltaAccess, PyTimeAccess, PyTzInfo, PyTzInfoAccess,
};

use crate::errors::OrRaise;

/// The UTC time of `dt`; a naive datetime is taken as UTC.
pub(crate) fn to_utc(dt: &Bound<'_, PyDateTime>) -> PyResult<UtcTime> {
    let py = dt.py();
    let offset = match dt.get_tzinfo() {
        None => 0,
        Some(tz) if tz.is(&*PyTzInfo::utc(py)?) => 0,
        // Any other zone says its offset for this very time (DST included).
        Some(_) => match dt.call_method0(intern!(py, "utcoffset"))? {
            offset if offset.is_none() => 0,
            offset => {
                let delta = offset.cast_into::<PyDelta>()?;
                (i64::from(delta.get_days()) * 86_400 + i64::from(delta.get_seconds())) * 1_000_000
                    + i64::from(delta.get_microseconds())
            }
        },
    };
    UtcTime::from_local(
        dt.get_year(),
        dt.get_month(),
        dt.get_day(),
        dt.get_hour(),
        dt.get_minute(),
        dt.get_second(),
        dt.get_microsecond(),
        offset,
    )
    .or_raise()
}

/// An aware `datetime` in UTC.
pub(crate) fn from_utc(py: Python<'_>, t: UtcTime) -> PyResult<Bound<'_, PyDateTime>> {
    let utc = PyTzInfo::utc(py)?;
    PyDateTime::new(
        py,
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micro,
        Some(&*utc),
    )
}
