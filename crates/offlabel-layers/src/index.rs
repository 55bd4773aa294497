// Shared by the build script (`include!`) and the library: the index of one JSON Lines table.

/// The index of one JSON Lines table of a layer, written at build time: where each
/// record's line lies in the embedded text, the key it is found by, and the names it is
/// recognised by, so a process indexes names without parsing a record.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TableIndex<'a> {
    /// Byte range (start, end) of each record's line in the embedded text, in file order.
    pub lines: Vec<(u32, u32)>,
    /// Each record's key: a medicine's contract id, or the medicine a clause belongs to.
    #[serde(borrow)]
    pub keys: Vec<&'a str>,
    /// Each record's names, normalised as the engine reads a question (its `phrase_words`,
    /// joined by one space; empty when a name has no word). EU: the INN, the id's words,
    /// then product names; US: the id's words, then the single ingredients.
    #[serde(borrow)]
    pub names: Vec<Vec<&'a str>>,
    /// Each record's brand names, normalised the same way, in the layer's order (US only).
    #[serde(borrow)]
    pub brands: Vec<Vec<&'a str>>,
}
