//! Dates as precise as a source gives them: a year, a month or a day.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar date that may lack its month or day (`2021`, `2023-04`, `2023-04-19`).
///
/// Ordering compares year, then month, then day; a missing part sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[schemars(with = "String")]
pub struct PartialDate {
    /// Year.
    pub year: u16,
    /// Month 1–12, when known.
    pub month: Option<u8>,
    /// Day of month, when known.
    pub day: Option<u8>,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {text:?}: {reason} (write YYYY, YYYY-MM or YYYY-MM-DD)")]
pub struct PartialDateError {
    text: String,
    reason: &'static str,
}

impl FromStr for PartialDate {
    type Err = PartialDateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason| PartialDateError {
            text: text.to_string(),
            reason,
        };
        let mut parts = text.split('-');
        let number = |part: Option<&str>, width: usize| -> Result<Option<u32>, PartialDateError> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == width && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(p.parse().ok())
                }
                Some(_) => Err(fail("each part must be digits of the right width")),
            }
        };
        let year = number(parts.next(), 4)?.ok_or_else(|| fail("missing year"))?;
        let month = number(parts.next(), 2)?;
        let day = number(parts.next(), 2)?;
        if parts.next().is_some() {
            return Err(fail("too many parts"));
        }
        if !(1900..=2100).contains(&year) {
            return Err(fail("year out of range 1900-2100"));
        }
        if month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(fail("month out of range"));
        }
        if let (Some(m), Some(d)) = (month, day) {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if d < 1 || d > days {
                return Err(fail("day out of range for the month"));
            }
        }
        Ok(PartialDate {
            year: year as u16,
            month: month.map(|m| m as u8),
            day: day.map(|d| d as u8),
        })
    }
}

impl PartialDate {
    /// Long English form: `19 April 2023`, `April 2023` or `2021`.
    pub fn long(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[usize::from(m - 1)], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[usize::from(m - 1)], self.year),
            _ => self.year.to_string(),
        }
    }
}

impl PartialDate {
    /// The date written out in Spanish ("19 de abril de 2023", "abril de 2023", "2023").
    pub fn long_es(&self) -> String {
        const MESES: [&str; 12] = [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} de {} de {}", MESES[usize::from(m - 1)], self.year),
            (Some(m), None) => format!("{} de {}", MESES[usize::from(m - 1)], self.year),
            _ => self.year.to_string(),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision() {
        assert_eq!(
            "2021".parse::<PartialDate>().map(|d| d.to_string()),
            Ok("2021".into())
        );
        assert_eq!(
            "2023-04-19".parse::<PartialDate>().map(|d| d.long()),
            Ok("19 April 2023".into())
        );
        assert!("2023-02-30".parse::<PartialDate>().is_err());
        assert!("2023-13".parse::<PartialDate>().is_err());
        assert!("23-01-01".parse::<PartialDate>().is_err());
    }

    #[test]
    fn orders_by_year_then_month() {
        let a: PartialDate = "2023-01".parse().unwrap_or_else(|e| panic!("{e}"));
        let b: PartialDate = "2023-04-19".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(a < b);
    }
}
