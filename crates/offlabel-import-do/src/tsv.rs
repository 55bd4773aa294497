//! DO's TSV exports: a header row, then rows of double-quoted fields separated by tabs.

use crate::ImportError;

/// Parses a TSV file whose header must be `columns`; returns (1-based line, fields) per row.
pub fn parse(
    file: &str,
    text: &str,
    columns: &[&str],
) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let err = |line: usize, message: String| ImportError::Malformed {
        file: file.to_string(),
        line,
        message,
    };
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(err(
            text.lines().count(),
            "the file ends in the middle of a line (truncated download?)".into(),
        ));
    }
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.trim_end_matches('\r').split('\t').collect(),
        None => return Err(err(1, "the file is empty".into())),
    };
    if header != columns {
        return Err(err(
            1,
            format!("header is {header:?}, expected {columns:?}"),
        ));
    }
    let mut rows = Vec::new();
    for (n, line) in lines {
        let line_no = n + 1;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != columns.len() {
            return Err(err(
                line_no,
                format!(
                    "{} field(s), expected {} ({})",
                    fields.len(),
                    columns.len(),
                    columns.join(", ")
                ),
            ));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (f, col) in fields.iter().zip(columns) {
            let inner = f
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .filter(|_| f.len() >= 2)
                .ok_or_else(|| {
                    err(
                        line_no,
                        format!("field {col} {f:?} is not in double quotes"),
                    )
                })?;
            row.push(inner.replace("\"\"", "\""));
        }
        rows.push((line_no, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_errors_name_the_line() {
        let cols = ["id", "label"];
        let ok = parse("t.tsv", "id\tlabel\n\"DOID:1\"\t\"a\"\n", &cols).expect("valid");
        assert_eq!(ok, vec![(2, vec!["DOID:1".to_string(), "a".to_string()])]);
        for (bad, line) in [
            ("id\tlabel\n\"DOID:1\"\n", 2),
            ("id\tlabel\n\"DOID:1\"\t\"a\"\n\"DOID:2\"\ta\n", 3),
            ("id\tlabel\n\"DOID:1\"\t\"a", 2),
            ("id\tname\n", 1),
        ] {
            match parse("t.tsv", bad, &cols) {
                Err(ImportError::Malformed { line: l, .. }) => assert_eq!(l, line, "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
