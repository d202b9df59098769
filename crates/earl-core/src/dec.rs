//! Exact decimal numbers for threshold comparisons.
//!
//! Inputs arrive as JSON/TOML numbers (binary floating point). Comparing, say, a
//! performance density of 5.92 as `tpp / area >= 5.92` in `f64` can land on 5.9199999…,
//! so earl converts every input to the decimal it was written as (the shortest decimal
//! that round-trips to the same `f64`, at most [`MAX_SCALE`] decimal places) and compares
//! products of such decimals exactly in integer arithmetic. Density tests are evaluated as
//! `tpp >= threshold * area` rather than by dividing.

use std::cmp::Ordering;

/// Maximum number of decimal places kept from an input (finer digits are rounded).
pub const MAX_SCALE: u32 = 12;

/// A decimal `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec {
    mantissa: i128,
    scale: u32,
}

impl Dec {
    /// Zero.
    pub const ZERO: Dec = Dec { mantissa: 0, scale: 0 };

    /// An integer value.
    pub fn from_int(v: i64) -> Dec {
        Dec { mantissa: i128::from(v), scale: 0 }
    }

    /// The decimal a finite `f64` was most likely written as; `None` for NaN, infinities
    /// and magnitudes above 1e18.
    pub fn from_f64(v: f64) -> Option<Dec> {
        if !v.is_finite() || v.abs() > 1e18 {
            return None;
        }
        // `Display` for f64 prints the shortest representation that round-trips, without
        // exponent notation.
        Dec::parse(&format!("{v}"))
    }

    /// Parse a plain decimal string such as `-12.5` or `5.92`.
    pub fn parse(s: &str) -> Option<Dec> {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes() {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = 0u32;
        let mut round_up = false;
        for (i, b) in frac_part.bytes().enumerate() {
            if scale == MAX_SCALE {
                // Round half up on the first dropped digit.
                round_up = i == usize::try_from(MAX_SCALE).unwrap_or(usize::MAX) && b >= b'5';
                break;
            }
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
            scale += 1;
        }
        if round_up {
            mantissa = mantissa.checked_add(1)?;
        }
        if neg {
            mantissa = -mantissa;
        }
        Some(Dec { mantissa, scale }.normalized())
    }

    fn normalized(mut self) -> Dec {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Exact product, `None` on overflow.
    pub fn checked_mul(self, other: Dec) -> Option<Dec> {
        Some(
            Dec {
                mantissa: self.mantissa.checked_mul(other.mantissa)?,
                scale: self.scale.checked_add(other.scale)?,
            }
            .normalized(),
        )
    }

    /// Exact comparison, `None` on overflow (not reachable with bounded inputs).
    pub fn checked_cmp(self, other: Dec) -> Option<Ordering> {
        let (a, b) = if self.scale >= other.scale {
            let f = 10i128.checked_pow(self.scale - other.scale)?;
            (self.mantissa, other.mantissa.checked_mul(f)?)
        } else {
            let f = 10i128.checked_pow(other.scale - self.scale)?;
            (self.mantissa.checked_mul(f)?, other.mantissa)
        };
        Some(a.cmp(&b))
    }

    /// `self >= other`; falls back to `f64` only if the exact comparison overflows.
    pub fn ge(self, other: Dec) -> bool {
        match self.checked_cmp(other) {
            Some(o) => o != Ordering::Less,
            None => self.to_f64() >= other.to_f64(),
        }
    }

    /// `self > other` (see [`Dec::ge`]).
    pub fn gt(self, other: Dec) -> bool {
        match self.checked_cmp(other) {
            Some(o) => o == Ordering::Greater,
            None => self.to_f64() > other.to_f64(),
        }
    }

    /// `self < other`.
    pub fn lt(self, other: Dec) -> bool {
        !self.ge(other)
    }

    /// Whether `self >= threshold * factor` exactly (e.g. `tpp >= 5.92 * area`).
    pub fn ge_product(self, threshold: Dec, factor: Dec) -> bool {
        match threshold.checked_mul(factor) {
            Some(p) => self.ge(p),
            None => self.to_f64() >= threshold.to_f64() * factor.to_f64(),
        }
    }

    /// Nearest `f64` (for display and JSON output).
    pub fn to_f64(self) -> f64 {
        // Through the decimal string, so 5.92 comes back as the f64 nearest to 5.92.
        self.to_string().parse::<f64>().unwrap_or(f64::NAN)
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// Whether the value is below zero.
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }
}

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let neg = self.mantissa < 0;
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = usize::try_from(self.scale).unwrap_or(0);
        let body = if scale == 0 {
            digits
        } else if digits.len() > scale {
            let (i, frac) = digits.split_at(digits.len() - scale);
            format!("{i}.{frac}")
        } else {
            format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
        };
        if neg { write!(f, "-{body}") } else { f.write_str(&body) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn parses_and_prints_round_trip() {
        for s in ["0", "5.92", "-1.5", "989.5", "0.001", "4800", "123456789.123456"] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(Dec::from_f64(5.92).unwrap().to_string(), "5.92");
        assert_eq!(Dec::from_f64(0.1 + 0.2).unwrap().to_string(), "0.3"); // rounded at 12 places
        assert!(Dec::from_f64(f64::NAN).is_none());
        assert!(Dec::parse("1e5").is_none());
    }

    #[test]
    fn density_edges_are_exact() {
        // 5920 / 1000 is exactly 5.92: meets ">= 5.92".
        assert!(d("5920").ge_product(d("5.92"), d("1000")));
        // A hair below does not.
        assert!(!d("5919.999").ge_product(d("5.92"), d("1000")));
        // 1.6 and 3.2 edges with awkward areas.
        assert!(d("1600").ge_product(d("1.6"), d("1000")));
        assert!(d("3200").ge_product(d("3.2"), d("1000")));
        assert!(!d("3199.99").ge_product(d("3.2"), d("1000")));
        // f64 would say 0.1*3 != 0.3; exact says equal.
        assert!(d("0.3").ge_product(d("0.1"), d("3")));
    }

    #[test]
    fn products_are_exact() {
        assert_eq!(d("989.5").checked_mul(d("16")).unwrap().to_string(), "15832");
        assert_eq!(d("660.6").checked_mul(d("8")).unwrap().to_string(), "5284.8");
    }
}
