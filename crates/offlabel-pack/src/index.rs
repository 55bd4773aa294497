//! The pack's fact indexes and the named queries over them.
//!
//! Built once when a pack is assembled (or decoded from its compiled form), so a
//! question touches only the records of the medicines and conditions it names,
//! whatever the size of the pack. Every query yields records in pack order, the
//! order the linear scans it replaces produced, so answers do not change.

use crate::Pack;
use offlabel_model::{
    AdverseEffect, Authorisation, DoseAdjustment, Efficacy, IncidenceRate, Medicine, Posology,
    Precaution, RegulatoryEvent, Statement, Study,
};
use std::collections::HashMap;

/// Positions (into the pack's record lists) of the records about one medicine.
#[derive(Debug, Clone, Default)]
pub(crate) struct MedicineFacts {
    authorisations: Vec<u32>,
    studies: Vec<u32>,
    posology: Vec<u32>,
    efficacy: Vec<u32>,
    incidence_rates: Vec<u32>,
    dose_adjustments: Vec<u32>,
    adverse_effects: Vec<u32>,
    statements: Vec<u32>,
    regulatory_events: Vec<u32>,
    precautions: Vec<u32>,
}

/// Positions of the records about exactly one condition (not its subtypes).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConditionFacts {
    authorisations: Vec<u32>,
    studies: Vec<u32>,
    statements: Vec<u32>,
}

/// A position as stored: packs hold far fewer than 2^32 records of one family.
fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Builds both indexes in one pass over each record family.
pub(crate) fn build(
    pack: &Pack,
) -> (
    HashMap<String, MedicineFacts>,
    HashMap<String, ConditionFacts>,
) {
    let mut meds: HashMap<String, MedicineFacts> = HashMap::with_capacity(pack.medicines.len());
    let mut conds: HashMap<String, ConditionFacts> = HashMap::with_capacity(pack.conditions.len());
    for (i, a) in pack.authorisations.iter().enumerate() {
        slot(&mut meds, &a.medicine).authorisations.push(pos(i));
    }
    for (i, s) in pack.studies.iter().enumerate() {
        slot(&mut meds, &s.medicine).studies.push(pos(i));
    }
    for (i, p) in pack.posology.iter().enumerate() {
        slot(&mut meds, &p.medicine).posology.push(pos(i));
    }
    for (i, e) in pack.efficacy.iter().enumerate() {
        slot(&mut meds, &e.medicine).efficacy.push(pos(i));
    }
    for (i, r) in pack.incidence_rates.iter().enumerate() {
        slot(&mut meds, &r.medicine).incidence_rates.push(pos(i));
    }
    for (i, d) in pack.dose_adjustments.iter().enumerate() {
        slot(&mut meds, &d.medicine).dose_adjustments.push(pos(i));
    }
    for (i, a) in pack.adverse_effects.iter().enumerate() {
        for m in unique(&a.medicines) {
            slot(&mut meds, m).adverse_effects.push(pos(i));
        }
    }
    for (i, s) in pack.statements.iter().enumerate() {
        for m in unique(&s.medicines) {
            slot(&mut meds, m).statements.push(pos(i));
        }
    }
    for (i, e) in pack.regulatory_events.iter().enumerate() {
        for m in unique(&e.medicines) {
            slot(&mut meds, m).regulatory_events.push(pos(i));
        }
    }
    for (i, p) in pack.precautions.iter().enumerate() {
        for m in unique(&p.medicines) {
            slot(&mut meds, m).precautions.push(pos(i));
        }
    }
    for (i, a) in pack.authorisations.iter().enumerate() {
        if let Some(c) = &a.condition {
            slot(&mut conds, c).authorisations.push(pos(i));
        }
    }
    for (i, s) in pack.studies.iter().enumerate() {
        slot(&mut conds, &s.condition).studies.push(pos(i));
    }
    for (i, s) in pack.statements.iter().enumerate() {
        for c in unique(&s.conditions) {
            slot(&mut conds, c).statements.push(pos(i));
        }
    }
    (meds, conds)
}

/// The entry for `id`, made empty on first use.
fn slot<'m, V: Default>(map: &'m mut HashMap<String, V>, id: &str) -> &'m mut V {
    if !map.contains_key(id) {
        map.insert(id.to_string(), V::default());
    }
    match map.get_mut(id) {
        Some(v) => v,
        None => unreachable!("inserted just above"),
    }
}

/// The ids of a list, each once, so a record listed twice is indexed once.
fn unique(ids: &[String]) -> impl Iterator<Item = &str> {
    ids.iter()
        .enumerate()
        .filter(move |(i, id)| !ids[..*i].contains(id))
        .map(|(_, id)| id.as_str())
}

/// Merges two ascending position lists into one ascending list without repeats.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), Some(&y)) if y < x => {
                j += 1;
                y
            }
            (Some(&x), Some(_)) => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

/// The records at these positions, collected (for position lists built per call).
fn pick<'a, T>(list: &'a [crate::Located<T>], at: &[u32]) -> Vec<&'a T> {
    at.iter()
        .filter_map(|&i| list.get(i as usize))
        .map(|l| &l.record)
        .collect()
}

fn records<'a, T>(list: &'a [crate::Located<T>], at: &'a [u32]) -> impl Iterator<Item = &'a T> {
    at.iter()
        .filter_map(move |&i| list.get(i as usize))
        .map(|l| &l.record)
}

impl Pack {
    fn medicine_facts(&self, medicine: &str) -> Option<&MedicineFacts> {
        self.medicine_facts.get(medicine)
    }

    fn med_list(&self, medicine: &str, pick: fn(&MedicineFacts) -> &Vec<u32>) -> &[u32] {
        self.medicine_facts(medicine)
            .map_or(&[][..], |f| pick(f).as_slice())
    }

    /// The medicine's own positions in a family that can also name the whole
    /// class, merged with the class's positions.
    fn with_class(&self, medicine: &str, pick: fn(&MedicineFacts) -> &Vec<u32>) -> Vec<u32> {
        let mut all = self.med_list(medicine, pick).to_vec();
        for class in self.classes_of(medicine) {
            all = merge(&all, self.med_list(&class.id, pick));
        }
        all
    }

    /// Every authorisation record (granted or "none listed") of a medicine, any regulator.
    pub fn authorisations_of<'a>(
        &'a self,
        medicine: &str,
    ) -> impl Iterator<Item = &'a Authorisation> + 'a {
        records(
            &self.authorisations,
            self.med_list(medicine, |f| &f.authorisations),
        )
    }

    /// Every study of a medicine.
    pub fn studies_of<'a>(&'a self, medicine: &str) -> impl Iterator<Item = &'a Study> + 'a {
        records(&self.studies, self.med_list(medicine, |f| &f.studies))
    }

    /// Posology records of a medicine.
    pub fn posology_of<'a>(&'a self, medicine: &str) -> impl Iterator<Item = &'a Posology> + 'a {
        records(&self.posology, self.med_list(medicine, |f| &f.posology))
    }

    /// Pivotal efficacy results of a medicine.
    pub fn efficacy_of<'a>(&'a self, medicine: &str) -> impl Iterator<Item = &'a Efficacy> + 'a {
        records(&self.efficacy, self.med_list(medicine, |f| &f.efficacy))
    }

    /// Incidence rates of a medicine.
    pub fn incidence_rates_of<'a>(
        &'a self,
        medicine: &str,
    ) -> impl Iterator<Item = &'a IncidenceRate> + 'a {
        records(
            &self.incidence_rates,
            self.med_list(medicine, |f| &f.incidence_rates),
        )
    }

    /// Dose adjustments of a medicine.
    pub fn dose_adjustments_of<'a>(
        &'a self,
        medicine: &str,
    ) -> impl Iterator<Item = &'a DoseAdjustment> + 'a {
        records(
            &self.dose_adjustments,
            self.med_list(medicine, |f| &f.dose_adjustments),
        )
    }

    /// Adverse effects listed for a medicine or for its whole class.
    pub fn adverse_effects_of(&self, medicine: &str) -> Vec<&AdverseEffect> {
        pick(
            &self.adverse_effects,
            &self.with_class(medicine, |f| &f.adverse_effects),
        )
    }

    /// Statements about a medicine or its whole class.
    pub fn statements_about(&self, medicine: &str) -> Vec<&Statement> {
        pick(
            &self.statements,
            &self.with_class(medicine, |f| &f.statements),
        )
    }

    /// Regulatory events concerning a medicine or its whole class.
    pub fn regulatory_events_of(&self, medicine: &str) -> Vec<&RegulatoryEvent> {
        pick(
            &self.regulatory_events,
            &self.with_class(medicine, |f| &f.regulatory_events),
        )
    }

    /// Contraindications, precautions and limits for a medicine or its whole class.
    pub fn precautions_of(&self, medicine: &str) -> Vec<&Precaution> {
        pick(
            &self.precautions,
            &self.with_class(medicine, |f| &f.precautions),
        )
    }

    fn cond_list(&self, condition: &str, pick: fn(&ConditionFacts) -> &Vec<u32>) -> &[u32] {
        self.condition_facts
            .get(condition)
            .map_or(&[][..], |f| pick(f).as_slice())
    }

    /// Authorisation records naming exactly this condition.
    pub fn authorisations_for<'a>(
        &'a self,
        condition: &str,
    ) -> impl Iterator<Item = &'a Authorisation> + 'a {
        records(
            &self.authorisations,
            self.cond_list(condition, |f| &f.authorisations),
        )
    }

    /// Studies in exactly this condition, any medicine.
    pub fn studies_in<'a>(&'a self, condition: &str) -> impl Iterator<Item = &'a Study> + 'a {
        records(&self.studies, self.cond_list(condition, |f| &f.studies))
    }

    /// Statements naming exactly this condition.
    pub fn statements_on<'a>(
        &'a self,
        condition: &str,
    ) -> impl Iterator<Item = &'a Statement> + 'a {
        records(
            &self.statements,
            self.cond_list(condition, |f| &f.statements),
        )
    }

    /// Studies in this condition or any of its subtypes, any medicine, in pack order.
    pub fn studies_in_subtree(&self, condition: &str) -> Vec<&Study> {
        let mut at: Vec<u32> = self
            .descendants(condition)
            .iter()
            .flat_map(|c| self.cond_list(&c.id, |f| &f.studies).iter().copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        pick(&self.studies, &at)
    }

    /// The medicines with studies in this condition or its subtypes, each with its
    /// number of such studies, in the pack's medicine order.
    pub fn medicines_with_studies_in(&self, condition: &str) -> Vec<(&Medicine, usize)> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in self.studies_in_subtree(condition) {
            *counts.entry(s.medicine.as_str()).or_default() += 1;
        }
        let mut found: Vec<(usize, &Medicine, usize)> = counts
            .into_iter()
            .filter_map(|(id, n)| {
                let at = *self.medicine_index.get(id)?;
                Some((at, &self.medicines[at].record, n))
            })
            .collect();
        found.sort_unstable_by_key(|(at, _, _)| *at);
        found.into_iter().map(|(_, m, n)| (m, n)).collect()
    }

    /// Whether any record of any family is about this condition or a subtype of it.
    pub fn condition_has_facts(&self, condition: &str) -> bool {
        self.descendants(condition)
            .iter()
            .any(|c| self.condition_facts.contains_key(&c.id))
    }
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merge_keeps_order_and_drops_repeats() {
        assert_eq!(merge(&[1, 4, 9], &[2, 4, 10]), vec![1, 2, 4, 9, 10]);
        assert_eq!(merge(&[], &[3]), vec![3]);
        assert_eq!(merge(&[3], &[]), vec![3]);
    }
}
