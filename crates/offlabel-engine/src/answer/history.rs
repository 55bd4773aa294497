//! "Until 2023 the EU label said…": one line where a recent change to a label
//! matters to an answer given from today's records.

use super::{Answer, Cites};
use crate::lexicon::Lexicon;
use crate::question::{Intent, Language};
use crate::reason::describe_in;
use offlabel_model::{AuthorisationKind, Jurisdiction, PartialDate, Validity};
use offlabel_pack::Pack;

/// How far back a superseded record still counts as a recent change, in years.
const RECENT_YEARS: u16 = 5;

/// At most this many history lines per answer: the change that matters, not the file.
const MAX_LINES: usize = 2;

/// Adds, before the closing disclaimer, a line for each recent change that matters to
/// the answer: a superseded authorisation of the medicine for the condition asked, or
/// a superseded dose adjustment for a group the patient belongs to (or any, when the
/// question asks about the dose).
pub(super) fn add_lines(
    current: &Pack,
    full: &Pack,
    _lexicon: &Lexicon,
    _text: &str,
    a: &mut Answer,
) {
    let Some(drug) = a.drug.as_ref().map(|d| d.id.clone()) else {
        return;
    };
    let day = current.meta.as_of;
    let recent =
        |to: Option<PartialDate>| to.is_some_and(|t| t <= day && t.year + RECENT_YEARS >= day.year);
    let es = a.understood.language == Language::Es;
    let mut cites = Cites {
        pack: full,
        list: std::mem::take(&mut a.citations),
    };
    let mut lines: Vec<String> = Vec::new();

    // Authorisations: the condition asked (or a broader one it belongs to).
    if let (Some(cond), Some(status)) = (a.condition.as_ref(), a.status.as_ref()) {
        let lineage: Vec<String> = full
            .ancestors(&cond.id)
            .iter()
            .map(|c| c.id.clone())
            .chain(
                full.condition(&cond.id)
                    .and_then(|c| c.typical_subtype.clone()),
            )
            .collect();
        for j in [Jurisdiction::Us, Jurisdiction::Eu] {
            if !status.contains_key(j.as_str()) {
                continue;
            }
            let regulator = j.regulator();
            let old = full
                .authorisations_of(&drug)
                .filter(|r| {
                    r.regulator == regulator
                        && r.kind == AuthorisationKind::Authorised
                        && recent(r.valid_to)
                        && r.condition.as_ref().is_some_and(|c| lineage.contains(c))
                })
                .max_by_key(|r| r.valid_to);
            let Some(old) = old else { continue };
            let Some(to) = old.valid_to else { continue };
            let now = current.authorisations_of(&drug).find(|r| {
                r.regulator == regulator
                    && r.kind == AuthorisationKind::Authorised
                    && r.condition == old.condition
            });
            let lang = if es { Language::Es } else { Language::En };
            let marks = cites.mark(&old.sources);
            let place = if j == Jurisdiction::Us { "US" } else { "EU" };
            let line = match (now, es) {
                (Some(n), false) => format!(
                    "Until {} the {place} authorisation covered {}; it now covers {}. {marks}",
                    to.long(),
                    describe_in(full, old, lang),
                    describe_in(full, n, lang)
                ),
                (Some(n), true) => format!(
                    "Hasta el {} la autorización de {place} cubría {}; ahora cubre {}. {marks}",
                    to.long_es(),
                    describe_in(full, old, lang),
                    describe_in(full, n, lang)
                ),
                (None, false) => format!(
                    "Until {} the {place} authorisation covered {}. {marks}",
                    to.long(),
                    describe_in(full, old, lang)
                ),
                (None, true) => format!(
                    "Hasta el {} la autorización de {place} cubría {}. {marks}",
                    to.long_es(),
                    describe_in(full, old, lang)
                ),
            };
            lines.push(line);
        }
    }

    // "When was it approved?": the earlier authorisations too, with their dates.
    if a.understood.intents.contains(&Intent::Dates) && a.condition.is_none() {
        let mut old: Vec<_> = full
            .authorisations_of(&drug)
            .filter(|r| {
                r.kind == AuthorisationKind::Authorised && r.valid_to.is_some_and(|t| t <= day)
            })
            .collect();
        old.sort_by_key(|r| (r.regulator.to_string(), r.valid_from()));
        let lang = if es { Language::Es } else { Language::En };
        for r in old {
            let (Some(from), Some(to)) = (r.valid_from(), r.valid_to) else {
                continue;
            };
            let place = if r.regulator.jurisdiction() == Jurisdiction::Us {
                "US (FDA)"
            } else {
                "EU (EMA)"
            };
            let marks = cites.mark(&r.sources);
            lines.push(if es {
                format!(
                    "{place}: autorizado para {} el {}, hasta el {}. {marks}",
                    describe_in(full, r, lang),
                    from.long_es(),
                    to.long_es()
                )
            } else {
                format!(
                    "{place}: first authorised for {} on {} ({from}), until {}. {marks}",
                    describe_in(full, r, lang),
                    from.long(),
                    to.long()
                )
            });
        }
    }

    // Dose advice for a group the patient is in (or any, for a dose question).
    let dose_question = a.understood.intents.contains(&Intent::Dose);
    let mut old_doses: Vec<_> = full
        .dose_adjustments_of(&drug)
        .filter(|d| recent(d.valid_to))
        .filter(|d| dose_question || a.understood.patient.has(d.flag))
        .collect();
    old_doses.sort_by_key(|d| std::cmp::Reverse(d.valid_to));
    for d in old_doses {
        let Some(to) = d.valid_to else { continue };
        // The replacement for the same label and group, where there is one.
        let replaced_by = current.dose_adjustments_of(&drug).find(|n| {
            n.jurisdiction == d.jurisdiction
                && n.valid_from() == Some(to)
                && (n.flag == d.flag || a.understood.patient.has(n.flag))
        });
        if replaced_by.is_none() && !dose_question {
            continue;
        }
        let place = if d.jurisdiction == Jurisdiction::Us {
            "US"
        } else {
            "EU"
        };
        let marks = cites.mark(&d.sources);
        let line = if es {
            format!(
                "Hasta {} la ficha técnica de {place} decía: {} {marks}",
                to.long_es(),
                d.advice
            )
        } else {
            format!(
                "Until {} the {place} label said: {} {marks}",
                to.long(),
                d.advice
            )
        };
        if !lines
            .iter()
            .any(|l| l.starts_with(&line[..line.len().min(40)]))
        {
            lines.push(line);
        }
        break;
    }

    // The dose itself, for a dose question: the label's posology before a recent change.
    if dose_question {
        let cond = a.condition.as_ref().map(|c| c.id.clone());
        let mut old: Vec<_> = full
            .posology_of(&drug)
            .filter(|p| recent(p.valid_to) && p.dose.is_some())
            .filter(|p| p.condition.is_none() || p.condition == cond || cond.is_none())
            .collect();
        old.sort_by_key(|p| std::cmp::Reverse(p.valid_to));
        if let Some(p) = old.first()
            && let (Some(to), Some(dose)) = (p.valid_to, p.dose.as_deref())
        {
            let place = match p.regulator.map(|r| r.jurisdiction()) {
                Some(Jurisdiction::Us) => "US",
                _ => "EU",
            };
            let marks = cites.mark(&p.sources);
            lines.push(if es {
                format!(
                    "Hasta el {} la ficha técnica de {place} indicaba: {dose}. {marks}",
                    to.long_es()
                )
            } else {
                format!(
                    "Until {} the {place} label gave: {dose}. {marks}",
                    to.long()
                )
            });
        }
    }

    if !a.understood.intents.contains(&Intent::Dates) {
        lines.truncate(MAX_LINES);
    }
    a.citations = cites.list;
    if lines.is_empty() {
        return;
    }
    let history = lines.join("\n");
    a.answer = match a.answer.rsplit_once('\n') {
        Some((body, disclaimer)) => format!("{body}\n{history}\n{disclaimer}"),
        None => format!("{}\n{history}", a.answer),
    };
}
