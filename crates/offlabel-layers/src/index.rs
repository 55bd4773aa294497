// Shared by the build script (`include!`) and the library: the index of one JSON Lines table.

/// The index of one JSON Lines table of a layer, written at build time: where each
/// record's line lies in the embedded text, the key it is found by, and the names it is
/// recognised by, so a process indexes names without parsing a record.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TableIndex<'a> {
    /// Byte range (start, end) of each record's line in the embedded text, in file order.
    pub lines: Vec<(u32, u32)>,
    /// Each record's key: a medicine's contract id, or the medicine a clause belongs to.
    #[serde(borrow)]
    pub keys: Vec<&'a str>,
    /// Every record's names end to end (see [`TableIndex::names_of`]), normalised as the
    /// engine reads a question (its `phrase_words`, joined by one space; empty when a name
    /// has no word). EU: the INN, the id's words, then product names; US: the id's words,
    /// then the single ingredients.
    #[serde(borrow)]
    pub names: Vec<&'a str>,
    /// One per record and one more: record `i`'s names are `names[name_starts[i]..name_starts[i + 1]]`.
    pub name_starts: Vec<u32>,
    /// Every record's brand names, normalised the same way, in the layer's order (US only).
    #[serde(borrow)]
    pub brands: Vec<&'a str>,
    /// As `name_starts`, for `brands`.
    pub brand_starts: Vec<u32>,
}

impl<'a> TableIndex<'a> {
    /// Appends a record's line, key, names and brands.
    pub fn push(&mut self, line: (u32, u32), key: &'a str, names: &[&'a str], brands: &[&'a str]) {
        if self.name_starts.is_empty() {
            self.name_starts.push(0);
            self.brand_starts.push(0);
        }
        self.lines.push(line);
        self.keys.push(key);
        self.names.extend_from_slice(names);
        self.name_starts
            .push(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.brands.extend_from_slice(brands);
        self.brand_starts
            .push(u32::try_from(self.brands.len()).unwrap_or(u32::MAX));
    }

    /// Record `i`'s names (empty past the end).
    pub fn names_of(&self, i: usize) -> &[&'a str] {
        slice(&self.names, &self.name_starts, i)
    }

    /// Record `i`'s brands (empty past the end).
    pub fn brands_of(&self, i: usize) -> &[&'a str] {
        slice(&self.brands, &self.brand_starts, i)
    }

    /// Whether every table has one entry per record and the starts stay in bounds.
    pub fn fits(&self) -> bool {
        let n = self.lines.len();
        let starts_fit = |starts: &[u32], len: usize| {
            (n == 0 && starts.is_empty())
                || (starts.len() == n + 1
                    && starts.windows(2).all(|w| w[0] <= w[1])
                    && starts.last().map(|&e| e as usize) == Some(len))
        };
        self.keys.len() == n
            && starts_fit(&self.name_starts, self.names.len())
            && starts_fit(&self.brand_starts, self.brands.len())
    }
}

fn slice<'s, 'a>(all: &'s [&'a str], starts: &[u32], i: usize) -> &'s [&'a str] {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&a), Some(&b)) => all.get(a as usize..b as usize).unwrap_or_default(),
        _ => &[],
    }
}
