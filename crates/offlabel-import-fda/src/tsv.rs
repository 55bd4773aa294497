//! The Drugs@FDA text files: tab-delimited, a header row, CRLF line ends, bytes in
//! Windows-1252 where they are not ASCII, occasional blank lines and trailing empty fields.

/// Decodes bytes as UTF-8 when they are, else as Windows-1252 (the files' notes carry
/// `’` and `–` as single bytes 0x92 and 0x96).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252(b)).collect(),
    }
}

fn cp1252(b: u8) -> char {
    // The 0x80–0x9F block is where Windows-1252 differs from Latin-1.
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// One table: its header names and its rows (fields by header position).
#[derive(Debug, Clone, Default)]
pub struct Tsv {
    /// The file's name inside the zip.
    pub file: String,
    /// The header names.
    pub header: Vec<String>,
    /// Data rows: line number (1-based) and fields.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Tsv {
    /// Parses a file's text. Blank lines are skipped; `\r` is dropped.
    pub fn parse(file: &str, text: &str) -> Tsv {
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(n, l)| (n + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let header = lines
            .next()
            .map(|(_, l)| l.split('\t').map(|h| h.trim().to_string()).collect())
            .unwrap_or_default();
        let rows = lines
            .map(|(n, l)| (n, l.split('\t').map(|f| f.trim().to_string()).collect()))
            .collect();
        Tsv {
            file: file.to_string(),
            header,
            rows,
        }
    }

    /// The positions of `names` in the header, or the names missing.
    pub fn columns(&self, names: &[&str]) -> Result<Vec<usize>, Vec<String>> {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for name in names {
            match self
                .header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
            {
                Some(i) => found.push(i),
                None => missing.push((*name).to_string()),
            }
        }
        if missing.is_empty() {
            Ok(found)
        } else {
            Err(missing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_decode() {
        assert_eq!(decode(b"Men\x92s Rogaine"), "Men’s Rogaine");
        assert_eq!(decode(b"a \x96 b \xe9"), "a – b é");
        assert_eq!(decode("déjà".as_bytes()), "déjà");
    }

    #[test]
    fn blank_lines_crlf_and_trailing_fields() {
        let t = Tsv::parse("Products.txt", "A\tB\r\n\r\n1\t2\r\n   \r\n3\t4\t\t\r\n");
        assert_eq!(t.header, vec!["A", "B"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0], (3, vec!["1".to_string(), "2".to_string()]));
        assert_eq!(t.rows[1].1[..2], ["3".to_string(), "4".to_string()]);
        assert_eq!(t.columns(&["b", "A"]), Ok(vec![1, 0]));
        assert_eq!(t.columns(&["C"]), Err(vec!["C".to_string()]));
    }
}
