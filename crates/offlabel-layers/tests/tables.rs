//! The compiled indexes fit the embedded layers: every record decodes, and the keys the
//! index gives are the records' own.

use offlabel_layers::Table;
use offlabel_regulatory::embedded as e;
use offlabel_regulatory::{IndicationClause, RegulatedMedicine, UsMedicine};

#[test]
fn every_record_decodes_and_keys_match() {
    let ema: Table<RegulatedMedicine> =
        Table::new(e::EMA_MEDICINES, offlabel_layers::EMA_MEDICINES_INDEX).expect("EMA index fits");
    let all = ema.all().expect("every EMA medicine decodes");
    assert!(all.len() > 1_000);
    for (i, m) in all.iter().enumerate() {
        assert_eq!(ema.index().keys[i], m.id);
        assert_eq!(ema.get(i).map(|r| &r.id), Some(&m.id));
    }
    let clauses: Table<IndicationClause> =
        Table::new(e::EMA_INDICATIONS, offlabel_layers::EMA_INDICATIONS_INDEX)
            .expect("EMA clause index fits");
    let all = clauses.all().expect("every EMA clause decodes");
    for (i, c) in all.iter().enumerate() {
        assert_eq!(clauses.index().keys[i], c.medicine);
    }
    let us: Table<UsMedicine> = Table::new(
        e::DRUGSFDA_MEDICINES,
        offlabel_layers::DRUGSFDA_MEDICINES_INDEX,
    )
    .expect("Drugs@FDA index fits");
    let all = us.all().expect("every Drugs@FDA medicine decodes");
    for (i, m) in all.iter().enumerate() {
        assert_eq!(us.index().keys[i], m.id);
    }
    assert!(us.get(all.len()).is_none());
}

#[test]
fn an_index_of_other_text_is_refused() {
    let t: Option<Table<RegulatedMedicine>> =
        Table::new("{}\n", offlabel_layers::EMA_MEDICINES_INDEX);
    assert!(t.is_none());
    let t: Option<Table<RegulatedMedicine>> = Table::new(e::EMA_MEDICINES, &[0xff, 0xff]);
    assert!(t.is_none());
}
