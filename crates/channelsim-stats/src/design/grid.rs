//! Full factorial over explicit level lists.

use crate::error::{Result, StatsError};

/// Full factorial design: every combination of the given levels, one row per combination.
///
/// Row order is lexicographic with the **last factor varying fastest**, so the number of rows
/// is the product of the level counts. Errors on no factors, an empty or non-finite level
/// list, or a product that overflows `usize`.
pub fn grid(levels: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    if levels.is_empty() {
        return Err(StatsError::NoFactors);
    }
    let mut rows: usize = 1;
    for l in levels {
        crate::error::check_finite("factor levels", l)?;
        rows = rows
            .checked_mul(l.len())
            .ok_or(StatsError::TooLarge("grid row count overflows"))?;
    }
    let mut out = Vec::with_capacity(rows);
    let mut idx = vec![0usize; levels.len()];
    for _ in 0..rows {
        out.push(idx.iter().zip(levels).map(|(&i, l)| l[i]).collect());
        // Odometer increment, last position fastest.
        for pos in (0..levels.len()).rev() {
            idx[pos] += 1;
            if idx[pos] < levels[pos].len() {
                break;
            }
            idx[pos] = 0;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_order_last_fastest() {
        let g = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]).unwrap();
        assert_eq!(
            g,
            vec![
                vec![1.0, 10.0],
                vec![1.0, 20.0],
                vec![1.0, 30.0],
                vec![2.0, 10.0],
                vec![2.0, 20.0],
                vec![2.0, 30.0],
            ]
        );
    }

    #[test]
    fn grid_rejects_empty() {
        assert_eq!(grid(&[]), Err(StatsError::NoFactors));
        assert!(matches!(
            grid(&[vec![1.0], vec![]]),
            Err(StatsError::Empty { .. })
        ));
    }
}
