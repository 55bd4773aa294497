//! Streaming reader of FDA's FAERS quarterly ASCII extracts.
//!
//! Each quarter holds seven `$`-delimited tables with a header line (`DEMO`, `DRUG`,
//! `REAC`, `OUTC`, `INDI`, `THER`, `RPSR`, named like `DEMO23Q4.txt`) and a list
//! of deleted case ids (`DELETE23Q4.txt`, often in a `Deleted/` folder). The
//! reader is tolerant of the extracts' quirks:
//!
//! * file names in any case (`demo23q4.txt`, `DEMO23Q4.TXT`), anywhere below the
//!   folder given;
//! * columns found by header name (case-insensitive), so column order and extra
//!   columns do not matter;
//! * a trailing `$` on the header or on rows, CRLF line ends, and bytes that are
//!   not UTF-8 (read as Latin-1);
//! * rows with fewer fields than the header are kept when every column read is
//!   present; rows with more fields than the header (a `$` inside a value) or an
//!   unreadable key are *bad lines*: counted and reported with their line number,
//!   never fatal; so is a last line with no line end and fewer fields than the header
//!   (a file cut short mid-row, whose last value may be cut too).
//!
//! Memory stays bounded: one line at a time.

use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// Deleted case ids (imported first).
    Delete,
    /// Demographics: one row per report version.
    Demo,
    /// Drugs: one or more rows per report.
    Drug,
    /// Reactions (MedDRA preferred terms).
    Reac,
    /// Outcomes.
    Outc,
    /// Indications.
    Indi,
    /// Therapy dates.
    Ther,
    /// Report sources.
    Rpsr,
}

impl FileKind {
    /// The file-name prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            FileKind::Delete => "DELETE",
            FileKind::Demo => "DEMO",
            FileKind::Drug => "DRUG",
            FileKind::Reac => "REAC",
            FileKind::Outc => "OUTC",
            FileKind::Indi => "INDI",
            FileKind::Ther => "THER",
            FileKind::Rpsr => "RPSR",
        }
    }

    const ALL: [FileKind; 8] = [
        FileKind::Delete,
        FileKind::Demo,
        FileKind::Drug,
        FileKind::Reac,
        FileKind::Outc,
        FileKind::Indi,
        FileKind::Ther,
        FileKind::Rpsr,
    ];
}

/// The column layout of a quarter's tables, told by the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// FAERS (2012Q4 on): `primaryid`, `caseid`, `caseversion`.
    Current,
    /// Legacy AERS (2004Q1–2012Q3): `isr` (one report version) and, in DEMO, `case`;
    /// no case version and no `prod_ai`.
    Legacy,
}

impl Layout {
    /// The layout a header line is in: `isr` without `primaryid` is the legacy layout.
    pub fn of(header: &[String]) -> Layout {
        let has = |n: &str| header.iter().any(|h| h == n);
        if !has("primaryid") && has("isr") {
            Layout::Legacy
        } else {
            Layout::Current
        }
    }

    /// The column that keys one report version in every table.
    pub fn key_column(self) -> &'static str {
        match self {
            Layout::Current => "primaryid",
            Layout::Legacy => "isr",
        }
    }

    /// The name.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Current => "FAERS (primaryid/caseid)",
            Layout::Legacy => "legacy AERS (isr/case)",
        }
    }
}

/// One file of an extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaersFile {
    /// Where it is.
    pub path: PathBuf,
    /// What it holds.
    pub kind: FileKind,
    /// The quarter, as `2023Q4`.
    pub quarter: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The kind and quarter of a file name such as `DEMO23Q4.txt` (any case), or
/// `None` for other files.
pub fn classify(file_name: &str) -> Option<(FileKind, String)> {
    let upper = file_name.to_ascii_uppercase();
    let stem = upper.strip_suffix(".TXT")?;
    for kind in FileKind::ALL {
        let Some(rest) = stem.strip_prefix(kind.prefix()) else {
            continue;
        };
        let b = rest.as_bytes();
        if b.len() == 4
            && b[0].is_ascii_digit()
            && b[1].is_ascii_digit()
            && b[2] == b'Q'
            && (b'1'..=b'4').contains(&b[3])
        {
            return Some((kind, format!("20{}Q{}", &rest[..2], b[3] as char)));
        }
    }
    None
}

/// Every FAERS file below `dir` (four levels deep at most), sorted by quarter and
/// kind.
///
/// # Errors
/// The folder cannot be read.
pub fn scan(dir: &Path) -> std::io::Result<Vec<FaersFile>> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<FaersFile>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = entry.metadata()?;
            if meta.is_dir() {
                if depth < 4 {
                    walk(&path, depth + 1, out)?;
                }
            } else if let Some((kind, quarter)) = entry.file_name().to_str().and_then(classify) {
                out.push(FaersFile {
                    path,
                    kind,
                    quarter,
                    bytes: meta.len(),
                });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out)?;
    out.sort_by(|a, b| (&a.quarter, a.kind, &a.path).cmp(&(&b.quarter, b.kind, &b.path)));
    Ok(out)
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The header lacks a column the import needs.
    #[error(
        "{path}, line 1: the header line has no `{column}` column (found: {found}); is this a FAERS (2012Q4 on: primaryid, caseid, …) or legacy AERS (2004–2012Q3: isr, case, …) quarterly ASCII file?"
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The columns found.
        found: String,
    },
    /// The header line is split by another delimiter than `$`.
    #[error(
        "{path}, line 1: the header is one column holding `{delimiter}`; FAERS tables separate fields with `$` (is this a CSV or tab-separated export? give the files as FDA publishes them)"
    )]
    Delimiter {
        /// The file.
        path: PathBuf,
        /// The delimiter seen.
        delimiter: char,
    },
    /// The tables of one quarter are in different layouts.
    #[error(
        "{path}: this table is in the {found} layout, but the quarter's DEMO file is in the {demo} layout; do not mix files of different quarters or releases in one folder"
    )]
    MixedLayout {
        /// The file.
        path: PathBuf,
        /// Its layout.
        found: &'static str,
        /// The DEMO file's.
        demo: &'static str,
    },
    /// The file is empty.
    #[error(
        "{path}: the file is empty; expected a header line such as primaryid$caseid$… (or isr$case$… in legacy AERS files)"
    )]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Reads a `$`-delimited table line by line.
pub struct DollarReader<R> {
    inner: R,
    path: PathBuf,
    header: Vec<String>,
    line_no: u64,
    bytes: u64,
    raw: Vec<u8>,
    text: String,
    spans: Vec<(usize, usize)>,
    /// Whether the line just read ended with `\n` (only the last line of a file may not).
    terminated: bool,
}

impl DollarReader<BufReader<File>> {
    /// Opens a file and reads its header line.
    ///
    /// # Errors
    /// The file cannot be opened or is empty.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        let file = File::open(path).map_err(|source| FileError::Io {
            path: path.to_owned(),
            source,
        })?;
        DollarReader::new(BufReader::with_capacity(1 << 20, file), path)
    }
}

impl<R: BufRead> DollarReader<R> {
    /// Wraps a reader and reads the header line (`path` names it in messages).
    ///
    /// # Errors
    /// Reading fails or there is no header line.
    pub fn new(inner: R, path: &Path) -> Result<Self, FileError> {
        let mut r = DollarReader {
            inner,
            path: path.to_owned(),
            header: Vec::new(),
            line_no: 0,
            bytes: 0,
            raw: Vec::new(),
            text: String::new(),
            spans: Vec::new(),
            terminated: true,
        };
        if !r.read_line()? {
            return Err(FileError::Empty {
                path: path.to_owned(),
            });
        }
        let mut header: Vec<String> = r
            .text
            .split('$')
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        while header.last().is_some_and(String::is_empty) {
            header.pop();
        }
        if let [only] = header.as_slice()
            && let Some(delimiter) = [',', '\t', '|', ';']
                .into_iter()
                .find(|&d| only.contains(d))
        {
            return Err(FileError::Delimiter {
                path: path.to_owned(),
                delimiter,
            });
        }
        r.header = header;
        Ok(r)
    }

    /// The layout the header is in.
    pub fn layout(&self) -> Layout {
        Layout::of(&self.header)
    }

    /// The column names of the header, lower case.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of the first of `names` present in the header.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h == n))
    }

    /// Like [`column`](Self::column), but a missing column is an error.
    ///
    /// # Errors
    /// [`FileError::MissingColumn`].
    pub fn require(&self, names: &[&str]) -> Result<usize, FileError> {
        self.column(names).ok_or_else(|| FileError::MissingColumn {
            path: self.path.clone(),
            column: names.first().copied().unwrap_or_default().to_owned(),
            found: self.header.join(", "),
        })
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The current line number (1-based; the header is line 1).
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    fn read_line(&mut self) -> Result<bool, FileError> {
        self.raw.clear();
        let n = self
            .inner
            .read_until(b'\n', &mut self.raw)
            .map_err(|source| FileError::Io {
                path: self.path.clone(),
                source,
            })?;
        if n == 0 {
            return Ok(false);
        }
        self.bytes += n as u64;
        self.line_no += 1;
        self.terminated = self.raw.last() == Some(&b'\n');
        while matches!(self.raw.last(), Some(b'\n' | b'\r')) {
            self.raw.pop();
        }
        self.text.clear();
        match std::str::from_utf8(&self.raw) {
            Ok(s) => self.text.push_str(s),
            // Latin-1: every byte is the code point of the same value.
            Err(_) => self.text.extend(self.raw.iter().map(|&b| b as char)),
        }
        Ok(true)
    }

    /// The next row: `Ok(None)` at the end, `Ok(Some(Err(bad)))` for a line with
    /// more fields than the header (or fewer than `needed`), blank lines skipped.
    ///
    /// # Errors
    /// Reading fails.
    pub fn next_row(
        &mut self,
        needed: usize,
    ) -> Result<Option<Result<Row<'_>, BadLine>>, FileError> {
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.text.trim().is_empty() {
                break;
            }
        }
        self.spans.clear();
        let mut start = 0;
        for (i, ch) in self.text.char_indices() {
            if ch == '$' {
                self.spans.push((start, i));
                start = i + 1;
            }
        }
        self.spans.push((start, self.text.len()));
        // A trailing `$` leaves one empty field past the header.
        if self.spans.len() > self.header.len() && self.spans.last().is_some_and(|(s, e)| s == e) {
            self.spans.pop();
        }
        let fields = self.spans.len();
        if fields > self.header.len() {
            return Ok(Some(Err(BadLine {
                line: self.line_no,
                reason: format!(
                    "{fields} fields where the header has {} (a `$` inside a value?)",
                    self.header.len()
                ),
            })));
        }
        if !self.terminated && fields < self.header.len() {
            return Ok(Some(Err(BadLine {
                line: self.line_no,
                reason: format!(
                    "the last line has no line end and {fields} fields where the header has {}: the file looks cut short",
                    self.header.len()
                ),
            })));
        }
        if fields < needed {
            return Ok(Some(Err(BadLine {
                line: self.line_no,
                reason: format!(
                    "{fields} fields where {needed} are needed (line cut short or broken across lines?)"
                ),
            })));
        }
        Ok(Some(Ok(Row {
            text: &self.text,
            spans: &self.spans,
        })))
    }
}

/// One row's fields.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    spans: &'a [(usize, usize)],
}

impl<'a> Row<'a> {
    /// Field `i`, trimmed (`""` when the row is shorter).
    pub fn get(&self, i: usize) -> &'a str {
        self.spans
            .get(i)
            .map_or("", |&(s, e)| self.text[s..e].trim())
    }

    /// Field `i` of an optional column.
    pub fn opt(&self, i: Option<usize>) -> &'a str {
        i.map_or("", |i| self.get(i))
    }

    /// Field `i` as an integer.
    pub fn int(&self, i: usize) -> Option<i64> {
        self.get(i).parse().ok()
    }
}

/// Reads a DELETE list: one case id per line (a header line, blank lines and a
/// trailing `$` are accepted). Returns the ids and the bad lines.
///
/// # Errors
/// The file cannot be read.
pub fn read_delete_list(path: &Path) -> Result<(Vec<i64>, Vec<BadLine>), FileError> {
    let mut text = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut text))
        .map_err(|source| FileError::Io {
            path: path.to_owned(),
            source,
        })?;
    let text = String::from_utf8_lossy(&text);
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let field = line.split('$').next().unwrap_or("").trim();
        if field.is_empty() {
            continue;
        }
        match field.parse::<i64>() {
            Ok(id) => ids.push(id),
            Err(_) if i == 0 => {} // header
            Err(_) => bad.push(BadLine {
                line: i as u64 + 1,
                reason: format!("{field:?} is not a case id"),
            }),
        }
    }
    Ok((ids, bad))
}

/// Age in years from FAERS `age` and `age_cod` (`YR`, `MON`, `WK`, `DY`, `HR`,
/// `DEC`); `None` when either is missing or unreadable.
pub fn age_years(age: &str, code: &str) -> Option<f64> {
    let v: f64 = age.trim().parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let years = match code.trim().to_ascii_uppercase().as_str() {
        "YR" | "YRS" | "Y" => v,
        "DEC" => v * 10.0,
        "MON" => v / 12.0,
        "WK" => v * 7.0 / 365.25,
        "DY" => v / 365.25,
        "HR" => v / 8766.0,
        _ => return None,
    };
    Some(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_last_line_is_a_bad_line() {
        let data = "primaryid$caseid$drugname$role_cod\n1$10$XELJANZ$PS\n2$11$XELJ";
        let mut r = DollarReader::new(std::io::Cursor::new(data), Path::new("DRUG23Q4.txt"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(r.next_row(3), Ok(Some(Ok(_)))));
        match r.next_row(3) {
            Ok(Some(Err(bad))) => {
                assert_eq!(bad.line, 3);
                assert!(bad.reason.contains("cut short"), "{}", bad.reason);
            }
            _ => panic!("the cut line was read as a row"),
        }
        // A complete last row without a line end is fine.
        let data = "primaryid$caseid\n1$10";
        let mut r = DollarReader::new(std::io::Cursor::new(data), Path::new("DEMO23Q4.txt"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(r.next_row(2), Ok(Some(Ok(_)))));
    }

    #[test]
    fn classify_names() {
        assert_eq!(
            classify("DEMO23Q4.txt"),
            Some((FileKind::Demo, "2023Q4".into()))
        );
        assert_eq!(
            classify("drug23q4.TXT"),
            Some((FileKind::Drug, "2023Q4".into()))
        );
        assert_eq!(
            classify("DELETE24Q1.txt"),
            Some((FileKind::Delete, "2024Q1".into()))
        );
        assert_eq!(classify("DEMO23Q5.txt"), None);
        assert_eq!(classify("ASC_NTS.pdf"), None);
        assert_eq!(classify("DEMO23Q4.txt.bak"), None);
    }

    #[test]
    fn reads_quirky_rows() {
        let data = "primaryid$caseid$pt$drug_rec_act$\r\n1001$10$Nausea$$\r\n\r\n1002$11$Rash\n1003$12$a$b$c$d\n1004\n";
        let mut r = DollarReader::new(data.as_bytes(), Path::new("REAC.txt")).expect("header");
        assert_eq!(r.header(), ["primaryid", "caseid", "pt", "drug_rec_act"]);
        let pt = r.require(&["pt"]).expect("pt");
        let row = r.next_row(3).expect("io").expect("row").expect("good");
        assert_eq!((row.int(0), row.get(pt)), (Some(1001), "Nausea"));
        let row = r.next_row(3).expect("io").expect("row").expect("good");
        assert_eq!(
            (row.int(0), row.get(pt), row.get(3)),
            (Some(1002), "Rash", "")
        );
        let bad = r
            .next_row(3)
            .expect("io")
            .expect("row")
            .expect_err("too many");
        assert_eq!(bad.line, 5);
        let bad = r
            .next_row(3)
            .expect("io")
            .expect("row")
            .expect_err("too few");
        assert_eq!(bad.line, 6);
        assert!(r.next_row(3).expect("io").is_none());
        assert!(r.require(&["outc_cod"]).is_err());
    }

    #[test]
    fn layouts_and_delimiters() {
        let r = DollarReader::new(&b"ISR$CASE$I_F_COD\n1$2$I\n"[..], Path::new("DEMO04Q1.TXT"))
            .expect("header");
        assert_eq!(r.layout(), Layout::Legacy);
        let r = DollarReader::new(&b"primaryid$caseid\n"[..], Path::new("DEMO23Q4.txt"))
            .expect("header");
        assert_eq!(r.layout(), Layout::Current);
        match DollarReader::new(
            &b"primaryid,caseid,pt\n1,2,x\n"[..],
            Path::new("REAC23Q4.txt"),
        ) {
            Err(e @ FileError::Delimiter { delimiter: ',', .. }) => {
                assert!(e.to_string().contains("REAC23Q4.txt, line 1"), "{e}");
            }
            other => panic!("{:?}", other.map(|r| r.header().to_vec())),
        }
    }

    #[test]
    fn latin1_is_read() {
        let data = b"primaryid$drugname\n1$CAF\xc9\n";
        let mut r = DollarReader::new(&data[..], Path::new("DRUG.txt")).expect("header");
        let row = r.next_row(2).expect("io").expect("row").expect("good");
        assert_eq!(row.get(1), "CAF\u{c9}");
    }

    #[test]
    fn ages() {
        assert_eq!(age_years("45", "YR"), Some(45.0));
        assert_eq!(age_years("6", "MON"), Some(0.5));
        assert_eq!(age_years("7", "DEC"), Some(70.0));
        assert_eq!(age_years("45", ""), None);
        assert_eq!(age_years("", "YR"), None);
    }
}
