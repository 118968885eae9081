//! From sentences to claims: finds the event a sentence reports, who says it and how, who is
//! alleged to have done it to whom, where, when, with what and with what harm; carries context
//! across sentences (quotations, "he said", casualty and denial follow-ups, legal framing).

use model::{
    Actor, ActorKind, Claim, CountryCode, DatePrecision, DateRange, Diagnostic, EventType, Feature,
    GeoPrecision, LegalTag, PlaceRef, Span, Speaker, Stance, SubEventType, Target, TargetKind,
    Toponym, WeaponCategory, WeaponMention,
};

use crate::dates::DateMention;
use crate::lexicon::{AttributionKind, ClassSet, Hit, Sense, Words, contains_phrase};
use crate::segment::{self, Sentence};
use crate::speakers::{self, Attribution, SpeakerPhrase};
use crate::words::{Word, words};
use crate::{ExtractInput, Extraction, Extractor, casualties};

/// Events dated more than this many days before publication are background, not new incidents.
const BACKGROUND_DAYS: i64 = 365;

/// Follow-ups, elaborations and legal framing look back at most this many claims: what a
/// sentence refers to was told shortly before, and the work per sentence stays bounded.
const LOOK_BACK: usize = 64;

/// People and bodies remembered for "he said" and "the ministry": the latest this many.
const MEMORY: usize = 64;

/// At most `n` bytes of `text` before `at`, starting on a character boundary: rules that read
/// the words before a span read this, never the whole text before it.
pub(crate) fn window_before(text: &str, at: usize, n: usize) -> &str {
    let mut from = at.saturating_sub(n);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    &text[from..at]
}

/// At most `n` bytes of `text` from `at`, ending on a character boundary.
pub(crate) fn window_after(text: &str, at: usize, n: usize) -> &str {
    let mut to = (at + n).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    &text[at..to]
}

/// The index of the latest claim among the last [`LOOK_BACK`] that satisfies `f`.
fn latest(claims: &[Claim], f: impl FnMut(&Claim) -> bool) -> Option<usize> {
    let from = claims.len().saturating_sub(LOOK_BACK);
    claims[from..].iter().rposition(f).map(|i| from + i)
}

/// Adds `speaker` to a bounded memory of speakers, forgetting the oldest.
fn remember(memory: &mut Vec<Speaker>, speaker: Speaker) {
    if memory.len() == MEMORY {
        memory.remove(0);
    }
    memory.push(speaker);
}

/// Prepositions after which an actor is the object of the attack, not its author.
const OBJECT_MARKERS: &[&str] = &[
    "against",
    "with",
    "on",
    "at",
    "towards",
    "toward",
    "of",
    "into",
    "targeting",
    "in",
    "from",
    "over",
];

/// What a sentence reported, before context is applied.
struct Reading {
    sentence: Span,
    /// The word that tells the event: the event word, the use verb, or the first weapon.
    event_word: Option<Span>,
    paragraph: usize,
    speaker: Option<Speaker>,
    stance: Stance,
    sub_event: Option<SubEventType>,
    weapons: Vec<WeaponMention>,
    perpetrator: Option<Actor>,
    target: Option<Target>,
    places: Vec<PlaceRef>,
    event_date: Option<DateRange>,
    statement_date: Option<DateRange>,
    casualties: Vec<model::Casualty>,
    legal: Vec<LegalTag>,
    generic: bool,
    tally: bool,
    /// The sentence refers back to an event told before ("the attack") and tells no new one.
    anaphora: bool,
    /// A weak event word ("explosions", "attack") with nothing else to make it an event.
    weak_event: bool,
    /// A strong event word (weight 4 or more) or a weapon being used.
    strong: bool,
    /// A statement of who did it ("claimed responsibility", "blamed X for").
    responsibility: bool,
    background: Option<DateMention>,
    /// A figure too large to be a count of people, read as `casualties::MAX_COUNT`.
    capped: Option<Span>,
    /// The sentence reacts to an event ("condemned the shelling of X", "urged restraint"): it
    /// reports no event of its own.
    reaction: bool,
}

/// Document-level memory while reading sentence by sentence.
#[derive(Default)]
struct Context {
    /// Named people seen as speakers, for "he said" and surnames.
    people: Vec<Speaker>,
    /// The speaker of the latest quotation, for quoted paragraphs with no attribution.
    last_quote_speaker: Option<Speaker>,
    /// The latest named speaker of any kind, for "it said" after a body speaks.
    last_speaker: Option<Speaker>,
    /// Named bodies seen as speakers, for "the ministry" and "a ministry spokeswoman".
    bodies: Vec<Speaker>,
    /// The latest body and the latest person that spoke: "it said" is the body, "he said" the
    /// person, whichever spoke last.
    last_body: Option<Speaker>,
    last_person: Option<Speaker>,
    /// Index into `claims` of the latest claim and the paragraph it was in.
    last_claim: Option<(usize, usize)>,
}

pub(crate) fn extract(ex: &Extractor, input: &ExtractInput<'_>) -> Extraction {
    let text = input.text;
    let mut out = Extraction::default();
    let hits = ex.lexicon.scan(text);
    let dates = ex.dates.find(text, input.published);
    let quotations = segment::quotations(text);
    // Geoparsing gives places in text order; only an unsorted list is copied to sort it.
    let sorted_toponyms: std::borrow::Cow<'_, [Toponym]> =
        if input.toponyms.is_sorted_by_key(|t| t.span) {
            std::borrow::Cow::Borrowed(input.toponyms)
        } else {
            let mut sorted = input.toponyms.to_vec();
            sorted.sort_by_key(|t| t.span);
            std::borrow::Cow::Owned(sorted)
        };
    let mut ctx = Context::default();
    let sentences = segment::sentences(text);
    let cut = sentences.iter().filter(|s| s.cut).count();
    if let Some(first) = sentences.iter().find(|s| s.cut) {
        out.diagnostics.push(Diagnostic::new(
            "long_sentence_cut",
            format!(
                "the text runs on for more than {} bytes without a sentence end; it was read in {cut} pieces, so claims there may be incomplete",
                segment::MAX_SENTENCE_BYTES
            ),
            Some(first.span),
        ));
    }

    for sentence in sentences {
        let s = sentence.span;
        let sent_hits: Vec<&Hit> = within(&hits, s, |h| h.span);
        let sent_dates: Vec<&DateMention> = within(&dates, s, |d| d.span);
        let toponyms: Vec<&Toponym> = within(&sorted_toponyms, s, |t| t.span);
        let owned_toponyms: Vec<Toponym> = toponyms.iter().map(|t| (*t).clone()).collect();

        let attribution =
            speakers::attribute(&ex.lexicon.words, text, s, &sent_hits, &owned_toponyms);
        let prefix = attribution.as_ref().and_then(|a| a.own_voice_prefix);
        let pronoun = attribution
            .as_ref()
            .and_then(|a| a.speaker.as_ref())
            .is_some_and(|p| p.pronoun);
        // Quotations are in text order and do not nest: the first that ends after the
        // sentence starts is the only one that can overlap it first.
        let from = quotations.partition_point(|q| q.end <= s.start);
        let quote = quotations[from..]
            .iter()
            .take_while(|q| q.start < s.end)
            .find(|q| q.overlaps(s) && q.len() > 1);
        let (speaker, stance, content) = resolve_speaker(
            &ex.lexicon.words,
            text,
            s,
            attribution,
            quote,
            &mut ctx,
            &hits,
            &owned_toponyms,
        );
        // "Russia's Defence Ministry denied carrying out the attack. It said the missile was of
        // a type used only by Ukraine": the same speaker, going on, still denies.
        let stance = match ctx.last_claim.map(|(i, _)| &out.claims[i]) {
            Some(last)
                if pronoun
                    && stance == Stance::Alleges
                    && last.stance == Stance::Denies
                    && last.speaker.as_ref().map(|s| &s.name)
                        == speaker.as_ref().map(|s| &s.name) =>
            {
                Stance::Denies
            }
            _ => stance,
        };

        // "Stepanakert was shelled on Sunday, and Azerbaijan said Armenian forces had fired on
        // Ganja": the first clause is the publisher's own report.
        if let Some(prefix) = prefix {
            let reading = read_sentence(
                ex,
                input,
                sentence,
                prefix,
                None,
                Stance::Reports,
                &sent_hits,
                &sent_dates,
                &toponyms,
            );
            apply(reading, text, input, &mut ctx, &mut out);
        }
        // "Shelling hit Tartar on 28 October, and Barda was struck on October 29": two events,
        // each with its own event word and its own place or date, are two claims.
        for part in split_events(text, content, &sent_hits, &sent_dates, &toponyms) {
            let reading = read_sentence(
                ex,
                input,
                sentence,
                part,
                speaker.clone(),
                stance,
                &sent_hits,
                &sent_dates,
                &toponyms,
            );
            apply(reading, text, input, &mut ctx, &mut out);
        }
    }
    out
}

/// Splits reported content at ", and" or ";" where both sides tell an event of their own (an
/// event word of weight 2 or more, and a place or a date); otherwise the content is one part.
fn split_events(
    text: &str,
    content: Span,
    hits: &[&Hit],
    dates: &[&DateMention],
    toponyms: &[&Toponym],
) -> Vec<Span> {
    let has_event = |span: Span| {
        let word = hits.iter().any(|h| {
            span.contains(h.span) && matches!(h.sense, Sense::Trigger { weight, .. } if weight >= 2)
        });
        let anchor = dates.iter().any(|d| span.contains(d.span))
            || toponyms.iter().any(|t| span.contains(t.span) && !t.demonym);
        word && anchor
    };
    let body = &text[content.start..content.end];
    let mut parts = Vec::new();
    let mut start = content.start;
    for marker in [", and ", "; "] {
        let mut from = 0;
        while let Some(i) = body[from..].find(marker) {
            let at = content.start + from + i;
            let left = Span::new(start, at);
            let right = Span::new(at + marker.len(), content.end);
            if at > start && has_event(left) && has_event(right) {
                parts.push(left);
                start = right.start;
            }
            from += i + marker.len();
        }
    }
    parts.push(Span::new(start, content.end));
    parts
}

/// The items (sorted by start) whose span lies inside `span`, found by binary search.
fn within<T>(items: &[T], span: Span, span_of: impl Fn(&T) -> Span) -> Vec<&T> {
    let from = items.partition_point(|x| span_of(x).start < span.start);
    let to = from + items[from..].partition_point(|x| span_of(x).start < span.end);
    items[from..to]
        .iter()
        .filter(|x| span_of(x).end <= span.end)
        .collect()
}

/// The speaker, stance and content span of a sentence, using quotations and earlier speakers.
/// Titles of one office, as reports vary them: "the ombudsman" is the Human Rights Defender.
const OFFICES: &[&[&str]] = &[&[
    "ombudsman",
    "ombudsperson",
    "human rights defender",
    "human rights commissioner",
    "commissioner for human rights",
    "public defender",
]];

/// True when the words of a title (`distinctive`, lower case) name the office of `role`.
fn same_office(distinctive: &[&str], role: &str) -> bool {
    if distinctive.is_empty() {
        return false;
    }
    let title = distinctive.join(" ");
    distinctive.iter().all(|w| role.contains(w))
        || OFFICES.iter().any(|office| {
            office.contains(&title.as_str()) && office.iter().any(|o| role.contains(o))
        })
}

#[allow(clippy::too_many_arguments)]
fn resolve_speaker(
    words: &Words,
    text: &str,
    s: Span,
    attribution: Option<Attribution>,
    quote: Option<&Span>,
    ctx: &mut Context,
    hits: &[Hit],
    toponyms: &[Toponym],
) -> (Option<Speaker>, Stance, Span) {
    let to_speaker = |p: &SpeakerPhrase, ctx: &Context| -> Speaker {
        if p.pronoun {
            let referent = match p.name.to_lowercase().as_str() {
                "it" => ctx.last_body.as_ref().or(ctx.bodies.last()),
                "he" | "she" => ctx.last_person.as_ref().or(ctx.people.last()),
                _ => None,
            }
            .or(ctx.last_speaker.as_ref());
            if let Some(last) = referent {
                return Speaker {
                    span: p.span,
                    ..last.clone()
                };
            }
        }
        // A surname alone refers to the full name seen earlier.
        if p.person
            && !p.name.contains(' ')
            && let Some(full) = ctx
                .people
                .iter()
                .rev()
                .find(|k| k.name.ends_with(&format!(" {}", p.name)))
        {
            return Speaker {
                span: p.span,
                ..full.clone()
            };
        }
        // "the ministry", "a ministry spokeswoman" after "Armenia's Defence Ministry" spoke.
        let generic = !p.person && !p.name.chars().any(char::is_uppercase);
        if generic {
            let lower = p.name.to_lowercase();
            let distinctive: Vec<&str> = lower
                .split_whitespace()
                .filter(|w| {
                    !matches!(
                        *w,
                        "the"
                            | "a"
                            | "an"
                            | "spokeswoman"
                            | "spokesman"
                            | "spokesperson"
                            | "official"
                            | "officials"
                            | "representative"
                            | "press"
                            | "service"
                            | "its"
                            | "their"
                    )
                })
                .collect();
            if let Some(body) = ctx.bodies.iter().rev().find(|b| {
                let name = b.name.to_lowercase();
                !distinctive.is_empty() && distinctive.iter().all(|w| name.contains(w))
            }) {
                return Speaker {
                    role: Some(p.name.clone()),
                    span: p.span,
                    ..body.clone()
                };
            }
            // "The ombudsman said" after "the Human Rights Defender of Artsakh, Artak Beglaryan".
            if let Some(person) = ctx.people.iter().rev().find(|k| {
                k.role
                    .as_deref()
                    .is_some_and(|r| same_office(&distinctive, &r.to_lowercase()))
            }) {
                return Speaker {
                    span: p.span,
                    ..person.clone()
                };
            }
        }
        Speaker {
            name: p.name.clone(),
            role: p.role.clone(),
            country: p.country,
            span: p.span,
        }
    };
    if let Some(a) = attribution {
        let speaker = a.speaker.as_ref().map(|p| to_speaker(p, ctx));
        if let Some(sp) = &speaker {
            ctx.last_speaker = Some(sp.clone());
            let named_body = a.speaker.as_ref().is_some_and(|p| !p.person && !p.pronoun)
                && sp.name.chars().any(char::is_uppercase);
            if named_body && !ctx.bodies.iter().any(|b| b.name == sp.name) {
                remember(&mut ctx.bodies, sp.clone());
            }
            let person = a.speaker.as_ref().is_some_and(|p| p.person && !p.pronoun);
            if named_body || ctx.bodies.iter().any(|b| b.name == sp.name) {
                ctx.last_body = Some(sp.clone());
            } else if person || ctx.people.iter().any(|k| k.name == sp.name) {
                ctx.last_person = Some(sp.clone());
            }
        }
        if let (Some(sp), Some(p)) = (&speaker, &a.speaker) {
            if p.person && !p.pronoun && !ctx.people.iter().any(|k| k.name == sp.name) {
                remember(&mut ctx.people, sp.clone());
            }
            if quote.is_some() {
                ctx.last_quote_speaker = Some(sp.clone());
            }
        }
        return (speaker, a.stance, a.content);
    }
    if let Some(q) = quote {
        // Inside a quotation: the attribution sits after the closing mark, in the sentence that
        // holds it ("..., Beglaryan said.") or the quote continues an earlier speaker's words.
        // The attribution follows within a few hundred bytes, on the same line.
        let line = window_after(text, q.end, 600);
        let after = Span::new(
            q.end,
            line.find(['\n']).map_or(q.end + line.len(), |i| q.end + i),
        );
        let after_sentence_end = text[after.start..after.end]
            .find(['.', '!', '?'])
            .map_or(after.end, |i| after.start + i + 1);
        let tail = Span::new(q.start, after_sentence_end);
        let tail_hits: Vec<&Hit> = within(hits, tail, |h| h.span);
        let found = speakers::attribute(words, text, tail, &tail_hits, toponyms)
            .and_then(|a| a.speaker.map(|p| (to_speaker(&p, ctx), a.stance)));
        if let Some((sp, stance)) = found {
            ctx.last_quote_speaker = Some(sp.clone());
            if !ctx.people.iter().any(|k| k.name == sp.name) && sp.name.contains(' ') {
                remember(&mut ctx.people, sp.clone());
            }
            return (Some(sp), stance, s);
        }
        if let Some(sp) = ctx.last_quote_speaker.clone() {
            return (Some(sp), Stance::Alleges, s);
        }
    }
    (None, Stance::Reports, s)
}

#[allow(clippy::too_many_arguments)]
fn read_sentence(
    ex: &Extractor,
    input: &ExtractInput<'_>,
    sentence: Sentence,
    content: Span,
    speaker: Option<Speaker>,
    base_stance: Stance,
    hits: &[&Hit],
    dates: &[&DateMention],
    toponyms: &[&Toponym],
) -> Reading {
    let text = input.text;
    let s = sentence.span;
    let content = if content.is_empty() { s } else { content };
    // "GANJA, Azerbaijan - A missile hit ...": the dateline says where the story was filed.
    let content = match dateline(text, s) {
        Some(d) if content.start < d.end && d.end < content.end => Span::new(d.end, content.end),
        _ => content,
    };
    let ws = words(text, content);
    let lower = text[s.start..s.end].to_lowercase();
    let speaker_span = speaker.as_ref().map(|sp| sp.span);

    // Weapons and triggers in the content.
    let mut weapons: Vec<WeaponMention> = Vec::new();
    let mut best: Option<(SubEventType, u8, Span)> = None;
    let mut legal: Vec<LegalTag> = Vec::new();
    let mut stance = base_stance;
    let words_ = &ex.lexicon.words;
    let sentence_classes = words_.classes_in(&text[s.start..s.end]);
    let content_classes = words_.classes_in(&text[content.start..content.end]);
    let breach = sentence_classes.has("breach");
    for h in hits {
        match &h.sense {
            Sense::Weapon(i) if content.contains(h.span) => {
                let w = &ex.lexicon.weapons[*i];
                if !weapons.iter().any(|m| m.name == w.name) {
                    weapons.push(WeaponMention {
                        name: w.name.clone(),
                        category: w.category,
                        cluster_capable: w.cluster_capable,
                        span: h.span,
                    });
                }
            }
            Sense::Trigger { sub_event, weight }
                if content.contains(h.span)
                    && !names_a_period_start(text, h.span)
                    && !not_yet(&ex.lexicon.words, text, h.span)
                    && best.is_none_or(|(_, bw, _)| *weight > bw) =>
            {
                best = Some((*sub_event, *weight, h.span));
            }
            Sense::Legal { tag, needs_breach }
                if (!needs_breach || breach) && !legal.contains(tag) =>
            {
                legal.push(*tag);
            }
            Sense::Attribution {
                kind: AttributionKind::Denial,
                ..
            } => stance = Stance::Denies,
            Sense::Attribution {
                kind: AttributionKind::Hedge,
                ..
            } if stance == Stance::Reports => {
                stance = Stance::Hedged;
            }
            _ => {}
        }
    }
    // A weapon that only names a denial's subject or a background is still a weapon; the
    // explosive catch-all gives way to anything more specific.
    if weapons.len() > 1 {
        weapons.retain(|w| w.category != WeaponCategory::Explosive);
    }
    let use_verb = ws
        .iter()
        .find(|w| words_.is("use_verb", &w.lower))
        .map(|w| w.span);
    let violent = hits.iter().any(|h| {
        content.contains(h.span)
            && matches!(&h.sense, Sense::Trigger { sub_event, .. } if sub_event.event_type() != EventType::StrategicDevelopments && sub_event.event_type() != EventType::Protests)
    });
    // The main clause tells the event; a word in a trailing clause ("..., inching closer to a
    // town hit by a chemical attack") only adds context. Prefer the first clause's event word
    // when it is a clear one.
    let triggers: Vec<(SubEventType, u8, Span)> = hits
        .iter()
        .filter(|h| content.contains(h.span))
        .filter_map(|h| match h.sense {
            Sense::Trigger { sub_event, weight } => Some((sub_event, weight, h.span)),
            _ => None,
        })
        .filter(|t| {
            !names_a_facility(text, t.2)
                && !names_a_period_start(text, t.2)
                && !not_yet(&ex.lexicon.words, text, t.2)
        })
        .collect();
    // "chemical weapons facilities" were struck; the chemical weapon is not the weapon used.
    if best.is_some_and(|b| names_a_facility(text, b.2)) {
        best = triggers.iter().copied().max_by_key(|t| t.1);
    }
    if let Some(first) = triggers.first() {
        let clause_end = text[first.2.end..content.end]
            .find([',', ';'])
            .map_or(content.end, |i| first.2.end + i);
        let main = triggers
            .iter()
            .filter(|t| t.2.start < clause_end && !sets_the_scene(text, t.2))
            .max_by_key(|t| (t.1, std::cmp::Reverse(t.2.start)));
        // ", killing themselves" right after the main clause still names the event precisely.
        // A participle clause right after the main one ("launched an offensive, shelling
        // positions") says what the event was; a clause that starts otherwise ("while a bomb
        // ...", "inching closer to a town that ...") adds another.
        let next_word = text[clause_end..content.end]
            .trim_start_matches([',', ';', ' '])
            .split_whitespace()
            .next()
            .unwrap_or("");
        let participle = next_word.len() > 4 && next_word.ends_with("ing");
        let specific_next = best.is_some_and(|b| {
            let in_next_clause = b.2.start >= clause_end
                && text[clause_end..b.2.start].matches([',', ';']).count() <= 1;
            (b.1 >= 7 && b.2.start <= clause_end + 24) || (participle && in_next_clause && b.1 >= 4)
        });
        if let Some(main) = main.filter(|m| m.1 >= 2 && !specific_next) {
            best = Some(*main);
        }
    }
    // Weapons of another clause do not decide this event's type ("X seized a town, while a
    // bomb at a base killed five").
    let clause = best.map(|b| {
        let start = text[content.start..b.2.start]
            .rfind([',', ';'])
            .map_or(content.start, |i| content.start + i);
        let mut end = text[b.2.end..content.end]
            .find([',', ';'])
            .map_or(content.end, |i| b.2.end + i);
        // A participle clause next ("..., using artillery and drones") belongs to this event.
        let next_word = text[end..content.end]
            .trim_start_matches([',', ';', ' '])
            .split_whitespace()
            .next()
            .unwrap_or("");
        if next_word.len() > 4 && next_word.ends_with("ing") {
            end = text[end + 1..content.end]
                .find([',', ';'])
                .map_or(content.end, |i| end + 1 + i);
            // A list continues across commas: take the clause to the sentence end.
            if text[end..content.end]
                .split(',')
                .all(|part| part.split_whitespace().count() <= 3)
            {
                end = content.end;
            }
        }
        Span::new(start, end)
    });
    let clause_weapons: Vec<WeaponMention> = match clause {
        Some(c) if best.is_some_and(|b| b.1 >= 2) => weapons
            .iter()
            .filter(|w| c.contains(w.span))
            .cloned()
            .collect(),
        _ => weapons.clone(),
    };
    let sub_event = decide_sub_event(&Decision {
        words: words_,
        text,
        best,
        weapons: &clause_weapons,
        use_verb,
        lower: &lower,
        sentence_start: s.start,
        violent,
    });
    let anaphora = content_classes.has("anaphora");
    let strong_event =
        best.is_some_and(|(_, w, _)| w >= 5) || (use_verb.is_some() && !weapons.is_empty());

    // The anchor: where the event is told; actors before it did it, places around it. With no
    // event word, the verb of harm tells it ("Russian forces killed two civilians").
    let harm_verb = ws
        .iter()
        .find(|w| {
            (words_.is("killed", &w.lower) || words_.is("injured", &w.lower))
                && w.lower.ends_with("ed")
        })
        .map(|w| w.span);
    let event_word = [best.map(|b| b.2), use_verb]
        .into_iter()
        .flatten()
        .min_by_key(|sp| sp.start)
        .or_else(|| weapons.first().map(|w| w.span))
        .or(harm_verb);
    let anchor = event_word.unwrap_or(content);
    // Parties to an agreement are not perpetrators.
    let perpetrator = if sub_event == Some(SubEventType::Agreement) {
        None
    } else {
        find_perpetrator(
            ex,
            text,
            content,
            anchor,
            hits,
            toponyms,
            speaker_span,
            speaker.as_ref().and_then(|sp| sp.country),
        )
    };
    let target = find_target(words_, text, content, anchor).filter(|t| {
        !perpetrator
            .as_ref()
            .is_some_and(|p| p.span.overlaps(t.span))
    });
    let counted = casualties::find(words_, &ws);
    let capped = counted.capped;
    let raw_casualties = counted.casualties;
    let sub_event = refine_sub_event(&Refinement {
        words: words_,
        sub_event,
        best,
        sentence: sentence_classes,
        content: content_classes,
        sentence_start: s.start,
        sentence_end: s.end,
        sentence_lower_has_framed_protest: sentence_classes.has("protest")
            && framed_protest(words_, &words(text, s)),
        content_lower: &text[content.start..content.end].to_lowercase(),
        content_start: content.start,
        text,
        weapons: &weapons,
        use_verb,
        perpetrator: perpetrator.as_ref(),
        target: target.as_ref(),
        casualties: &raw_casualties,
        toponyms,
        // ("during the violence and clashes" sets the scene of the event; it is not the event.)
        battle_word: triggers
            .iter()
            .any(|t| t.0 == SubEventType::ArmedClash && t.1 >= 3 && !sets_the_scene(text, t.2)),
    }); // Taking ground is "government regains" when state forces take it, "non-state actor
    // overtakes" when anyone else does (ACLED's distinction).
    let sub_event = match (sub_event, perpetrator.as_ref().map(|p| p.kind)) {
        (
            Some(SubEventType::NonStateActorOvertakesTerritory),
            Some(ActorKind::StateForces | ActorKind::State),
        ) => Some(SubEventType::GovernmentRegainsTerritory),
        (
            Some(SubEventType::GovernmentRegainsTerritory),
            Some(ActorKind::NonState | ActorKind::Militia),
        ) => Some(SubEventType::NonStateActorOvertakesTerritory),
        (other, _) => other,
    };

    // Types the refinement composed from several words stand on their own.
    let composed = sub_event.is_some_and(|e| {
        matches!(
            e,
            SubEventType::DisruptedWeaponsUse
                | SubEventType::HeadquartersOrBaseEstablished
                | SubEventType::ChangeToGroupActivity
                | SubEventType::NonViolentTransferOfTerritory
                | SubEventType::PeacefulProtest
                | SubEventType::ProtestWithIntervention
                | SubEventType::ExcessiveForceAgainstProtesters
                | SubEventType::ViolentDemonstration
                | SubEventType::Attack
        )
    });

    // Places: named in the content, not as part of the speaker or the perpetrator.
    let mut places: Vec<PlaceRef> = Vec::new();
    for t in toponyms {
        let inside = content.contains(t.span)
            && !speaker_span.is_some_and(|sp| sp.overlaps(t.span))
            && !perpetrator
                .as_ref()
                .is_some_and(|p| p.span.overlaps(t.span))
            && !launch_area(words_, text, t.span);
        if inside && !t.demonym {
            let place = PlaceRef::new(t, text);
            if !places.iter().any(|p| p.key() == place.key()) {
                places.push(place);
            }
        }
    }
    let mut placeless = false;
    // Places of the event word's own clause, when it names any: "fighting went on as the
    // ministers arrived in Moscow" happened somewhere else than Moscow.
    if let Some(b) = best.filter(|b| content.contains(b.2)) {
        // ASCII lowercase keeps byte offsets; offsets below are relative to the content.
        let lower = text[content.start..content.end].to_ascii_lowercase();
        let (trigger_start, trigger_end) = (b.2.start - content.start, b.2.end - content.start);
        let markers = [
            ",",
            ";",
            " as ",
            " while ",
            " when ",
            " whereas ",
            " before ",
            " after ",
            " since ",
            " because ",
        ];
        let clause_end = markers
            .iter()
            .filter_map(|m| lower[trigger_end..].find(m))
            .min()
            .map_or(lower.len(), |i| trigger_end + i);
        let clause_start = lower[..trigger_start].rfind([',', ';']).unwrap_or(0);
        let clause = Span::new(content.start + clause_start, content.start + clause_end);
        let in_clause: Vec<PlaceRef> = places
            .iter()
            .filter(|p| clause.contains(p.span))
            .cloned()
            .collect();
        if !in_clause.is_empty() {
            places = in_clause;
        } else if !places.is_empty()
            && places.iter().all(|p| p.span.start >= clause.end)
            && clause_end < lower.len()
        {
            // Every place sits in a later subordinate clause: the event has no place of its own.
            let subordinate = &lower[clause_end..];
            if [" as ", " while ", " when ", " whereas ", " since "]
                .iter()
                .any(|m| subordinate.starts_with(m))
            {
                places.clear();
                placeless = true;
            }
        }
    }
    if places.is_empty() && !placeless {
        // "In Ganja, officials said shells hit homes": a place outside the reported words but not
        // part of the speaker still locates the event.
        for t in toponyms {
            let usable = !t.demonym
                && !speaker_span.is_some_and(|sp| sp.overlaps(t.span))
                && !perpetrator
                    .as_ref()
                    .is_some_and(|p| p.span.overlaps(t.span))
                && !launch_area(words_, text, t.span);
            let place = PlaceRef::new(t, text);
            if usable && !places.iter().any(|p| p.key() == place.key()) {
                places.push(place);
            }
        }
    }
    if places.iter().any(|p| p.feature != Feature::Country) {
        places.retain(|p| p.feature != Feature::Country);
    } else {
        // A country locates an event only as a place ("in Armenia"), not as an actor ("called on Armenia").
        places.retain(|p| {
            let before = text[..p.span.start].trim_end();
            let prev = before
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            matches!(
                prev.as_str(),
                "in" | "inside" | "across" | "into" | "throughout" | "within"
            )
        });
    }

    // Dates: in the content they date the event; next to the speech verb, the statement.
    let mut event_date = None;
    let mut statement_date = None;
    let mut background = None;
    for d in dates {
        let range = DateRange {
            start: d.start,
            end: d.end,
            precision: d.precision,
            span: Some(d.span),
        };
        let old = input
            .published
            .is_some_and(|p| d.end.to_days() < p.to_days() - BACKGROUND_DAYS);
        // "since the war began on 27 September" dates the start of a period, not this event.
        let before = window_before(text, d.span.start, 64).to_lowercase();
        let since = before.trim_end().ends_with("since")
            || before.contains("since")
                && before
                    .rsplit("since")
                    .next()
                    .is_some_and(|gap| gap.len() < 40 && !gap.contains([',', '.']));
        if content.contains(d.span) {
            if old {
                background.get_or_insert((*d).clone());
            } else if event_date.is_none() && !since {
                event_date = Some(range);
            }
        } else if statement_date.is_none() && !old {
            statement_date = Some(range);
        }
    }

    // "The EU condemned the shelling of Kharkiv": a reaction word governs the event word.
    // (A reaction to what happened in a clause of its own is not: "expressed concern after a
    // shop was looted".)
    let reaction = sentence_classes.has("reaction")
        && words_
            .first_match("reaction", &text[s.start..s.end])
            .is_some_and(|m| {
                let at = s.start + m.end;
                event_word.is_none_or(|e| {
                    let gap = text.get(at..e.start).unwrap_or(",").to_lowercase();
                    at <= e.start
                        && !gap.contains([',', ';'])
                        && !gap.split_whitespace().any(|w| {
                            matches!(
                                w,
                                "after"
                                    | "when"
                                    | "as"
                                    | "following"
                                    | "because"
                                    | "since"
                                    | "while"
                            )
                        })
                })
            });
    let counts_people = !raw_casualties.is_empty();
    // "the exchange of prisoners and the bodies of the dead" is not harm done by an agreement.
    let casualties =
        if sub_event.is_some_and(|e| e.event_type() == EventType::StrategicDevelopments) {
            vec![]
        } else {
            raw_casualties
        };
    let content_lower = text[content.start..content.end].to_lowercase();
    let generic = content_classes.has("generic");
    // A running total counts people ("killed since the war began"); "protesting against abuses
    // that have grown since 2017" is no total.
    // "The death toll in Gaza has risen to 8,000": a toll over a whole country or region is a
    // running total; "the toll of the strike on Kremenchuk" is the event's.
    let wide_toll = content_classes.has("toll_noun")
        && words_
            .matches_in("toll_noun", &text[content.start..content.end])
            .iter()
            .any(|(m, _)| {
                let after = content.start + m.end;
                toponyms.iter().any(|t| {
                    let gap = text.get(after..t.span.start).unwrap_or("").to_lowercase();
                    t.span.start >= after
                        && !t.demonym
                        && matches!(
                            t.feature,
                            Feature::Country | Feature::Region | Feature::Admin1
                        )
                        && gap.len() <= 24
                        && ["in", "across", "throughout", "of"].iter().any(|p| {
                            gap.split_whitespace().next_back() == Some(p)
                                || gap.split_whitespace().rev().nth(1) == Some(p)
                                    && gap.split_whitespace().next_back() == Some("the")
                        })
                })
            });
    let tally = counts_people
        && (content_classes.has("tally")
            || wide_toll
            || (contains_phrase(&content_lower, "since") && event_date.is_some()));

    Reading {
        sentence: s,
        event_word,
        paragraph: sentence.paragraph,
        speaker,
        stance,
        sub_event,
        weapons,
        perpetrator,
        target,
        places,
        event_date,
        statement_date,
        casualties,
        legal,
        generic,
        tally,
        anaphora: anaphora && !strong_event,
        strong: strong_event || composed || best.is_some_and(|(_, w, _)| w >= 4),
        responsibility: sentence_classes.has("responsibility") && {
            // "X claimed responsibility for a bombing" is about who did it; "killed in an attack
            // officials blamed on a militia" reports the attack first.
            let sentence_text = &text[s.start..s.end];
            let first_resp = words_
                .first_match("responsibility", sentence_text)
                .map(|sp| sp.start);
            let first_harm = ["killed", "wounded", "injured", "died", "dead"]
                .iter()
                .filter_map(|w| sentence_text.find(w))
                .min();
            first_resp.is_some_and(|r| first_harm.is_none_or(|h| r < h))
        },
        weak_event: best.is_some_and(|(sub, _, _)| {
            sub.event_type() != EventType::StrategicDevelopments
                && sub.event_type() != EventType::Protests
        }),
        background,
        capped,
        reaction,
    }
}

/// True when an event word only sets the scene of another: "during heavy clashes", "amid
/// fighting", "after the offensive", "as the fighting entered its second week".
fn sets_the_scene(text: &str, span: Span) -> bool {
    let before = window_before(text, span.start, 40).to_lowercase();
    let words = ws_before(&before, 4);
    words
        .iter()
        .any(|w| matches!(*w, "during" | "amid" | "after" | "following" | "since"))
        || words.ends_with(&["as", "the"])
}

/// The last `n` words of `text`, punctuation trimmed.
fn ws_before(text: &str, n: usize) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split_whitespace()
        .rev()
        .take(n)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    out.reverse();
    out
}

/// True when a place is where weapons were launched from, not where they struck: "launched by
/// bombers over Russia's Kursk region", "missiles fired from Belgorod", "drones launched from the
/// territory of Belarus".
fn launch_area(words: &Words, text: &str, place: Span) -> bool {
    let before = window_before(text, place.start, 80).to_lowercase();
    let Some(at) = [" from ", " over "]
        .iter()
        .filter_map(|p| before.rfind(p).map(|i| (i, p.len())))
        .max()
    else {
        return false;
    };
    // Between the preposition and the place: nothing but an article, a possessive or the
    // territory's own words ("the territory of").
    let gap_ok = before[at.0 + at.1..].split_whitespace().all(|w| {
        matches!(w, "the" | "territory" | "airspace" | "direction" | "of")
            || w.ends_with("'s")
            || w.ends_with("’s")
    });
    // Before it, in the same clause and a few words back, a verb of launching.
    let head = &before[..at.0];
    let clause = head.rsplit([',', ';', '.']).next().unwrap_or(head);
    let recent: Vec<&str> = clause.split_whitespace().rev().take(5).collect();
    let recent: Vec<&str> = recent.into_iter().rev().collect();
    gap_ok && words.any_in("launch_verb", &recent.join(" "))
}

/// True when a protest word follows "during", "amid", "at" and the like: the setting of the event.
fn framed_protest(classes: &Words, ws: &[Word<'_>]) -> bool {
    ws.iter().enumerate().any(|(i, w)| {
        classes.is("protest", &w.lower)
            && ws[i.saturating_sub(4)..i].iter().any(|p| {
                p.is_any(&[
                    "during",
                    "amid",
                    "at",
                    "after",
                    "following",
                    "in",
                    "against",
                    "disperse",
                    "dispersed",
                    "on",
                    "between",
                    "with",
                ])
            })
    })
}

/// True when an event word only dates a period: "since the fighting began", "since the war".
fn names_a_period_start(text: &str, span: Span) -> bool {
    let before = window_before(text, span.start, 24)
        .trim_end()
        .to_lowercase();
    before.ends_with("since") || before.ends_with("since the") || before.ends_with("since this")
}

/// True when an event word is still to come: "were to be agreed", "will be signed", "would
/// strike". (Reported plans and threats are not events; what happened is told in the past.)
fn not_yet(words: &Words, text: &str, span: Span) -> bool {
    let before = window_before(text, span.start, 32).to_lowercase();
    let mut ws = before.split_whitespace().rev();
    let (w1, w2) = (ws.next().unwrap_or(""), ws.next().unwrap_or(""));
    let modal = |w: &str| matches!(w, "will" | "would" | "shall" | "could" | "might");
    // "before an expected Russian offensive", "ahead of a planned assault": still to come.
    let last_four: Vec<&str> = before.split_whitespace().rev().take(4).collect();
    let near: Vec<&str> = last_four.into_iter().rev().collect();
    let expected = words.any_in("expectation", &near.join(" "));
    modal(w1) || (w1 == "be" && (modal(w2) || w2 == "to")) || expected
}

/// True when an event word names what a facility is for ("chemical weapons facilities").
fn names_a_facility(text: &str, span: Span) -> bool {
    let next = text[span.end..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
    matches!(
        next,
        "facility"
            | "facilities"
            | "program"
            | "programme"
            | "programs"
            | "stockpile"
            | "stockpiles"
            | "site"
            | "sites"
            | "depot"
            | "depots"
            | "plant"
            | "plants"
            | "factory"
            | "factories"
            | "arsenal"
            | "arsenals"
            | "warehouse"
    )
}

/// What `refine_sub_event` looks at.
struct Refinement<'a> {
    words: &'a Words,
    sub_event: Option<SubEventType>,
    best: Option<(SubEventType, u8, Span)>,
    sentence: ClassSet,
    content: ClassSet,
    sentence_start: usize,
    sentence_end: usize,
    /// A protest word framed as the setting ("during protests", "amid demonstrations").
    sentence_lower_has_framed_protest: bool,
    content_lower: &'a str,
    content_start: usize,
    text: &'a str,
    weapons: &'a [WeaponMention],
    use_verb: Option<Span>,
    perpetrator: Option<&'a Actor>,
    target: Option<&'a Target>,
    casualties: &'a [model::Casualty],
    toponyms: &'a [&'a Toponym],
    /// A ground-fighting word of its own ("clashed", "assaulted", "repelled") in the content.
    battle_word: bool,
}

/// ACLED's distinctions that a single trigger word cannot make: how a protest went, weapons
/// seized rather than used, a base set up, forces withdrawn or moved, territory taken (only
/// when there is ground to take), one-sided attacks on civilians, and natural or industrial
/// disasters, which are no armed-conflict event at all.
fn refine_sub_event(r: &Refinement<'_>) -> Option<SubEventType> {
    use SubEventType as S;
    let w = r.words;
    let weight = r.best.map_or(0, |b| b.1);
    // A strong violent word that is not just a weapon's name ("grenades were discovered" is a
    // seizure, "a grenade attack" is violence).
    let strong_violence = r.best.is_some_and(|(sub, wt, span)| {
        wt >= 5
            && matches!(
                sub.event_type(),
                EventType::ExplosionsRemoteViolence | EventType::ViolenceAgainstCivilians
            )
            && !r.weapons.iter().any(|x| x.span.overlaps(span))
    });
    let armed_actor = r
        .perpetrator
        .is_some_and(|p| p.country.is_some() || p.kind != ActorKind::State);
    let weapon_used = r.use_verb.is_some()
        && r.weapons
            .iter()
            .any(|x| x.category != WeaponCategory::SmallArms);

    // A flood or a factory fire is not an armed-conflict event.
    if r.content.has("disaster")
        && !armed_actor
        && !weapon_used
        && (weight < 5 || r.use_verb.is_none())
    {
        return None;
    }
    // How a protest went: force against protesters, protesters' violence, police intervention.
    // A protest is the event when a protest word comes before the main event word or frames it
    // ("during protests"); "detained people who joined demonstrations" is an arrest.
    let protest = r.sentence.has("protest") && {
        let trigger_at = r.best.map_or(usize::MAX, |b| b.2.start);
        let before = r
            .text
            .get(r.sentence_start..trigger_at.min(r.sentence_end))
            .unwrap_or("");
        let protest_trigger = r
            .best
            .is_some_and(|b| matches!(b.0.event_type(), EventType::Protests | EventType::Riots));
        protest_trigger || w.any_in("protest", before) || r.sentence_lower_has_framed_protest
    };
    let protest_family = r.sub_event.is_none_or(|s| {
        matches!(
            s.event_type(),
            EventType::Protests | EventType::Riots | EventType::Battles
        ) || matches!(
            s,
            S::Arrests | S::ChemicalWeapon | S::Attack | S::LootingPropertyDestruction
        )
    });
    // "Forces deployed in anticipation of demonstrations": the protest has not happened.
    let protest = protest && !r.sentence.has("protest_anticipated");
    if protest && protest_family && !strong_violence {
        return Some(if r.sentence.has("authority_force") {
            S::ExcessiveForceAgainstProtesters
        } else if r.sentence.has("protester_violence") {
            S::ViolentDemonstration
        } else if r.sentence.has("intervention") {
            S::ProtestWithIntervention
        } else {
            S::PeacefulProtest
        });
    }
    // Weapons seized, found or defused: their use was disrupted.
    let seized = r.content.has("seize_verb")
        && r.content.has("weapon_object")
        && !r.content_lower.contains("seized control")
        && !r.content.has("evidence")
        && !r
            .casualties
            .iter()
            .any(|c| c.outcome == model::CasualtyOutcome::Killed && c.min.unwrap_or(0) > 0);
    if seized && !strong_violence {
        return Some(S::DisruptedWeaponsUse);
    }
    // A base, post or checkpoint set up.
    if r.content.has("base_verb") && r.content.has("base_noun") && weight < 5 {
        return Some(S::HeadquartersOrBaseEstablished);
    }
    // Forces withdrawn: territory changes hands without a fight, or the group just moved.
    let territory = matches!(
        r.sub_event,
        Some(S::NonStateActorOvertakesTerritory | S::GovernmentRegainsTerritory)
    );
    if r.content.has("withdraw_verb") && (weight < 5 || territory) {
        return Some(if r.content.has("takeover") || territory {
            S::NonViolentTransferOfTerritory
        } else {
            S::ChangeToGroupActivity
        });
    }
    if r.content.has("redeploy") && weight < 3 && !weapon_used {
        return Some(S::ChangeToGroupActivity);
    }
    // A weak event word ("attacked") with an armed actor or casualties is an event after all.
    let sub_event = r.sub_event.or_else(|| {
        let weak = r.best.map(|b| b.0).filter(|s| {
            !matches!(
                s.event_type(),
                EventType::StrategicDevelopments | EventType::Protests
            )
        });
        weak.filter(|_| r.perpetrator.is_some() || !r.casualties.is_empty())
    });
    // Warplanes that only fly ("entered the air defence zone") strike nothing.
    let aircraft_only = r.best.is_some_and(|(sub, _, span)| {
        sub == S::AirDroneStrike
            && r.weapons
                .iter()
                .any(|x| x.span.overlaps(span) && x.category == WeaponCategory::Aircraft)
    });
    if aircraft_only
        && sub_event == Some(S::AirDroneStrike)
        && r.use_verb.is_none()
        && r.casualties.is_empty()
    {
        return if r.content.has("redeploy") || r.content_lower.contains("entered") {
            Some(S::ChangeToGroupActivity)
        } else {
            None
        };
    }
    match sub_event {
        // "Russian forces clashed with Ukrainian forces and shelled near X", "shelled, assaulted
        // and were repulsed": shelling in a ground fight is the fight (ACLED codes the battle).
        Some(S::ShellingArtilleryMissileAttack) if r.battle_word => Some(S::ArmedClash),
        // Territory is taken only where there is ground to take ("captured two villages", not
        // "two others were captured alive").
        Some(S::GovernmentRegainsTerritory | S::NonStateActorOvertakesTerritory)
            if r.content.has("unopposed") =>
        {
            Some(S::NonViolentTransferOfTerritory)
        }
        Some(S::GovernmentRegainsTerritory | S::NonStateActorOvertakesTerritory) if weight < 5 => {
            let after = r.best.map_or(r.content_start, |b| b.2.end);
            let tail = r.text.get(after..).unwrap_or("").to_lowercase();
            let tail: String = tail
                .split_whitespace()
                .take(8)
                .collect::<Vec<_>>()
                .join(" ");
            let alive = tail.starts_with("alive");
            let ground = !alive
                && (w.any_in("territory_noun", &tail)
                    || r.toponyms.iter().any(|t| {
                        t.span.start >= after && t.span.start <= after + 80 && !t.demonym
                    }));
            if ground {
                sub_event
            } else if r.content.has("battle_cue") {
                Some(S::ArmedClash)
            } else {
                None
            }
        }
        // One armed side against civilians is an attack, not a clash.
        Some(S::ArmedClash) => {
            let civilian_victims = r.target.is_some_and(|t| t.kind.is_civilian())
                || r.casualties
                    .iter()
                    .any(|c| c.group == model::CasualtyGroup::Civilian);
            let military_victims = r
                .casualties
                .iter()
                .any(|c| c.group == model::CasualtyGroup::Military)
                || r.target.is_some_and(|t| t.kind == TargetKind::Military);
            // "Bandits killed seven people": people not said to be fighters, killed by a
            // non-state or unidentified armed group, count as civilians here.
            let irregular = r.perpetrator.is_some_and(|p| {
                matches!(
                    p.kind,
                    ActorKind::NonState | ActorKind::Militia | ActorKind::Unidentified
                )
            });
            let people_victims = r
                .casualties
                .iter()
                .any(|c| c.group == model::CasualtyGroup::Unspecified);
            if (civilian_victims || (irregular && people_victims))
                && !military_victims
                && !r.content.has("battle_cue")
            {
                Some(S::Attack)
            } else {
                sub_event
            }
        }
        None => {
            // "Bandits killed seven people": an armed actor killing people who are not fighters.
            let killed_people = r.casualties.iter().any(|c| {
                c.group != model::CasualtyGroup::Military
                    && c.outcome == model::CasualtyOutcome::Killed
            });
            let actor_kills = r
                .perpetrator
                .is_some_and(|p| !matches!(p.kind, ActorKind::State));
            // "Security forces killed 219 rebels": fighters killed by an armed actor fought.
            let killed_fighters = r.casualties.iter().any(|c| {
                c.group == model::CasualtyGroup::Military
                    && c.outcome == model::CasualtyOutcome::Killed
            });
            if killed_people && actor_kills {
                Some(S::Attack)
            } else if killed_fighters && actor_kills {
                Some(S::ArmedClash)
            } else {
                None
            }
        }
        other => other,
    }
}

/// The sub-event type: a strong trigger wins; otherwise the weapon used decides.
/// What `decide_sub_event` weighs.
struct Decision<'a> {
    words: &'a Words,
    text: &'a str,
    /// The strongest event word: its sub-event type, weight and span.
    best: Option<(SubEventType, u8, Span)>,
    /// Weapons of the event's clause.
    weapons: &'a [WeaponMention],
    use_verb: Option<Span>,
    /// The sentence, lowercase.
    lower: &'a str,
    sentence_start: usize,
    /// The sentence has a violent event word.
    violent: bool,
}

fn decide_sub_event(d: &Decision<'_>) -> Option<SubEventType> {
    let Decision {
        words,
        text,
        best,
        weapons,
        use_verb,
        lower,
        sentence_start,
        violent,
    } = *d;
    // A ceasefire or a truce named beside an attack is context, not an agreement being made;
    // an agreement needs someone agreeing.
    let best = best.filter(|(sub, _, span)| {
        let word = text.get(span.start..span.end).unwrap_or("").to_lowercase();
        let truce = matches!(word.as_str(), "ceasefire" | "cease-fire" | "truce");
        *sub != SubEventType::Agreement || !truce || (!violent && words.any_in("agreeing", lower))
    });

    // Air delivery: an air word before (or at) the weapon, not aircraft destroyed afterwards
    // ("a missile hit the base, destroying several helicopters").
    let first_weapon_end = weapons
        .iter()
        .map(|w| w.span.end.saturating_sub(sentence_start))
        .min();
    let air = !weapons.is_empty()
        && words
            .matches_in("air_context", lower)
            .iter()
            .any(|(span, _)| first_weapon_end.is_none_or(|end| span.start <= end + 24));
    // The weapons' sub-event by vote, ties to the first named; chemical weapons always say most.
    let kinds: Vec<SubEventType> = weapons
        .iter()
        .filter_map(|w| weapon_sub_event(w.category, air))
        .collect();
    let implied = if kinds.contains(&SubEventType::ChemicalWeapon) {
        Some(SubEventType::ChemicalWeapon)
    } else if kinds.contains(&SubEventType::ArmedClash)
        && kinds.contains(&SubEventType::ShellingArtilleryMissileAttack)
    {
        // "fired mortars, grenade launchers and small arms at their positions": direct fire
        // beside the heavy weapons means the sides were in contact, a clash (ACLED).
        Some(SubEventType::ArmedClash)
    } else {
        kinds.iter().copied().max_by_key(|k| {
            (
                kinds.iter().filter(|x| *x == k).count(),
                std::cmp::Reverse(kinds.iter().position(|x| x == k)),
            )
        })
    };
    let non_violent = |sub: SubEventType| {
        matches!(
            sub.event_type(),
            EventType::StrategicDevelopments | EventType::Protests
        )
    };
    match (best, implied) {
        // A weapon being used outweighs a strategic or protest word beside it.
        (Some((sub, weight, _)), Some(imp))
            if non_violent(sub) && weight < 6 && use_verb.is_some() =>
        {
            Some(imp)
        }
        (Some((sub, weight, _)), Some(_)) if non_violent(sub) && use_verb.is_none() => {
            Some(sub).filter(|_| weight >= 2)
        }
        (Some((sub, weight, _)), _) if weight >= 5 => Some(sub),
        (Some((sub, weight, _)), Some(imp)) => {
            // A strike that "destroyed" a building with a missile is remote violence, not a
            // direct attack on civilians (ACLED's Attack is violence at close quarters).
            if weight <= 3
                || (sub.event_type() == EventType::Battles || sub == SubEventType::Attack)
                    && imp.event_type() == EventType::ExplosionsRemoteViolence
            {
                Some(imp)
            } else {
                Some(sub)
            }
        }
        (Some((sub, weight, _)), None) if weight >= 2 => Some(sub),
        (Some((sub, _, _)), None) => {
            Some(sub).filter(|_| use_verb.is_some() && !weapons.is_empty())
        }
        (None, Some(imp)) => Some(imp).filter(|_| use_verb.is_some()),
        (None, None) => None,
    }
}

fn weapon_sub_event(category: WeaponCategory, air: bool) -> Option<SubEventType> {
    use WeaponCategory as W;
    Some(match category {
        W::ClusterMunition | W::Incendiary | W::Missile | W::CruiseMissile if air => {
            SubEventType::AirDroneStrike
        }
        W::ClusterMunition
        | W::RocketArtillery
        | W::TubeArtillery
        | W::Mortar
        | W::BallisticMissile
        | W::CruiseMissile
        | W::Missile
        | W::Incendiary => SubEventType::ShellingArtilleryMissileAttack,
        W::AirDroppedBomb | W::BarrelBomb | W::Aircraft | W::Drone | W::LoiteringMunition => {
            SubEventType::AirDroneStrike
        }
        W::Landmine | W::Ied => SubEventType::RemoteExplosiveLandmineIed,
        W::Grenade => SubEventType::Grenade,
        W::Chemical => SubEventType::ChemicalWeapon,
        W::SmallArms => SubEventType::ArmedClash,
        W::Explosive => return None,
    })
}

/// The alleged perpetrator: the actor that is the subject before the anchor, the agent of a
/// passive ("by X"), or a demonym on the event noun ("Azeri shelling").
#[allow(clippy::too_many_arguments)]
fn find_perpetrator(
    ex: &Extractor,
    text: &str,
    content: Span,
    anchor: Span,
    hits: &[&Hit],
    toponyms: &[&Toponym],
    speaker: Option<Span>,
    speaker_country: Option<CountryCode>,
) -> Option<Actor> {
    let ws = words(text, content);
    let outside_speaker = |sp: Span| !speaker.is_some_and(|s| s.overlaps(sp));
    let mut candidates: Vec<(Actor, i32)> = Vec::new();
    let country_before = |span: Span| -> Option<(&Toponym, Span)> {
        // "Azerbaijani Armed Forces", "the Azerbaijani army", "Russia's forces"
        toponyms
            .iter()
            .filter(|t| t.feature == Feature::Country && t.span.end <= span.start)
            .filter(|t| {
                let gap = &text[t.span.end..span.start];
                gap.len() <= 24
                    && gap.split_whitespace().count() <= 2
                    && !gap.contains([',', '.', ';'])
            })
            .max_by_key(|t| t.span.end)
            .map(|t| (*t, t.span.cover(span)))
    };
    let country_after = |span: Span| -> Option<(&Toponym, Span)> {
        // "forces of Azerbaijan"
        let rest = &text[span.end..];
        let after_of = rest.strip_prefix(" of ")?;
        let at = span.end + 4;
        let _ = after_of;
        toponyms
            .iter()
            .find(|t| t.feature == Feature::Country && t.span.start == at)
            .map(|t| (*t, span.cover(t.span)))
    };
    for h in hits {
        let Sense::Actor(i) = h.sense else { continue };
        if !content.contains(h.span) || !outside_speaker(h.span) {
            continue;
        }
        let entry = &ex.lexicon.actors[i];
        let (country, span, name) = if entry.force_noun {
            let pronoun = text[..h.span.start]
                .trim_end()
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or("")
                .to_lowercase();
            match country_before(h.span).or_else(|| country_after(h.span)) {
                Some((t, span)) => (t.country, span, text[span.start..span.end].to_string()),
                // "his troops", "its army": the speaker's side.
                None if matches!(pronoun.as_str(), "his" | "her" | "its" | "their" | "our")
                    && speaker_country.is_some() =>
                {
                    let span = Span::new(h.span.start - pronoun.len() - 1, h.span.end);
                    let span = if text.get(span.start..span.end).is_some() {
                        span
                    } else {
                        h.span
                    };
                    (
                        speaker_country,
                        span,
                        text[span.start..span.end].to_string(),
                    )
                }
                // "military targets" names no one; "government forces", "army units" or
                // "troops" as the subject still say what kind of actor acted.
                None => {
                    let next = text[h.span.end..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_lowercase();
                    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
                    let noun = text[h.span.start..h.span.end].to_lowercase();
                    let names_an_actor = matches!(
                        noun.as_str(),
                        "forces"
                            | "troops"
                            | "soldiers"
                            | "army"
                            | "armed forces"
                            | "government forces"
                            | "security forces"
                            | "defence forces"
                            | "defense forces"
                            | "troopers"
                            | "commandos"
                            | "marines"
                            | "paratroopers"
                            | "servicemen"
                    );
                    if !names_an_actor
                        || ex.lexicon.words.is("target", next)
                        || h.span.end > anchor.start
                    {
                        continue;
                    }
                    let start = text[..h.span.start]
                        .trim_end()
                        .rsplit(char::is_whitespace)
                        .next()
                        .filter(|w| {
                            matches!(
                                w.to_lowercase().as_str(),
                                "government"
                                    | "regime"
                                    | "security"
                                    | "pro-government"
                                    | "federal"
                                    | "national"
                                    | "state"
                            )
                        });
                    let span = match start {
                        Some(w) => Span::new(h.span.start - w.len() - 1, h.span.end),
                        None => h.span,
                    };
                    let span = if text.get(span.start..span.end).is_some() {
                        span
                    } else {
                        h.span
                    };
                    (None, span, text[span.start..span.end].to_string())
                }
            }
        } else {
            (entry.country, h.span, entry.name.clone())
        };
        let name = name
            .trim_start_matches("the ")
            .trim_start_matches("The ")
            .to_string();
        let actor = Actor {
            name,
            country,
            kind: entry.kind,
            span,
        };
        candidates.push((actor, 0));
    }
    // Countries named on their own: "Azerbaijan launched", "Azeri shelling".
    for t in toponyms {
        if t.feature != Feature::Country || !content.contains(t.span) || !outside_speaker(t.span) {
            continue;
        }
        if candidates.iter().any(|(a, _)| a.span.overlaps(t.span)) {
            continue;
        }
        let after = &text[t.span.end..];
        let next_word = after
            .trim_start_matches(['\'', '’', 's'])
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase();
        let possessive = after.starts_with("'s") || after.starts_with("’s");
        let near_anchor = anchor.start >= t.span.end && anchor.start - t.span.end <= 12;
        // "Azerbaijan's second-largest city" and "Russian Foreign Minister" name no attacker.
        if (possessive && !near_anchor)
            || (t.demonym && !near_anchor && is_role_or_place_noun(&next_word))
        {
            continue;
        }
        let kind = if t.demonym {
            ActorKind::StateForces
        } else {
            ActorKind::State
        };
        let name = t
            .country
            .map_or_else(|| t.name.clone(), |c| c.name().to_string());
        candidates.push((
            Actor {
                name,
                country: t.country,
                kind,
                span: t.span,
            },
            0,
        ));
    }
    let word_index = |pos: usize| ws.iter().position(|w| w.span.start >= pos);
    let mut best: Option<(Actor, i32)> = None;
    for (actor, _) in candidates {
        let start = word_index(actor.span.start).unwrap_or(0);
        let end = ws
            .iter()
            .position(|w| w.span.end >= actor.span.end)
            .map_or(ws.len(), |i| i + 1);
        let prev = start.checked_sub(1).and_then(|i| ws.get(i));
        let next = ws.get(end);
        let score = if actor.span.end <= anchor.start {
            let object = prev.is_some_and(|p| p.is_any(OBJECT_MARKERS));
            let adjective_on_target = next.is_some_and(|n| is_target_word(&ex.lexicon.words, n));
            let adjacent = text[actor.span.end..anchor.start].trim().is_empty()
                || text[actor.span.end..anchor.start]
                    .split_whitespace()
                    .count()
                    <= 1
                    && !text[actor.span.end..anchor.start].contains(',');
            // An adjective on the event noun names its author even after a preposition
            // ("injured in Azeri shelling").
            let on_event_noun = text[actor.span.end..anchor.start].trim().is_empty();
            if (object || adjective_on_target) && !on_event_noun {
                continue;
            }
            // Closer to the anchor is better; adjectival use on the event noun is best.
            let distance = (anchor.start - actor.span.end) as i32;
            if adjacent {
                1000
            } else {
                500 - distance.min(499)
            }
        } else if prev.is_some_and(|p| p.is("by")) && {
            // "hosted by Russia" in a later clause is no agent of this event.
            let between = text
                .get(anchor.end..actor.span.start)
                .unwrap_or(",")
                .to_lowercase();
            ![",", ";", " as ", " while ", " when ", " for talks"]
                .iter()
                .any(|m| between.contains(m))
        } {
            900
        } else {
            continue;
        };
        let score = score
            + if matches!(actor.kind, ActorKind::State) {
                0
            } else {
                10
            };
        if best.as_ref().is_none_or(|(_, b)| score > *b) {
            best = Some((actor, score));
        }
    }
    best.map(|(a, _)| a)
}

/// Nouns after a demonym that make it a description, not an armed actor.
fn is_role_or_place_noun(word: &str) -> bool {
    matches!(
        word.trim_matches(|c: char| !c.is_alphanumeric()),
        "foreign"
            | "minister"
            | "ministry"
            | "president"
            | "prime"
            | "officials"
            | "official"
            | "authorities"
            | "side"
            | "government"
            | "leader"
            | "leaders"
            | "reporter"
            | "reporters"
            | "journalist"
            | "journalists"
            | "town"
            | "towns"
            | "city"
            | "cities"
            | "village"
            | "villages"
            | "region"
            | "people"
            | "civilians"
            | "residents"
            | "media"
            | "church"
            | "churches"
            | "positions"
            | "territory"
            | "border"
            | "capital"
            | "prosecutor"
            | "defence"
            | "defense"
            | "human"
    )
}

fn is_target_word(words: &Words, w: &Word<'_>) -> bool {
    words.is("target", &w.lower)
        || w.is_any(&[
            "villages",
            "village",
            "towns",
            "town",
            "cities",
            "city",
            "territory",
            "territories",
            "soldiers",
            "side",
        ])
}

/// What was hit: civilians are preferred over other targets when the sentence names several.
fn find_target(words: &Words, text: &str, content: Span, anchor: Span) -> Option<Target> {
    // Matching runs on the original text (ASCII case-insensitive), so spans need no mapping.
    let mut found: Vec<(Span, TargetKind)> = words
        .matches_in("target", &text[content.start..content.end])
        .into_iter()
        .map(|(span, kind)| {
            let kind = match kind {
                "civilians" => TargetKind::Civilians,
                "civilian_object" => TargetKind::CivilianObject,
                "military" => TargetKind::Military,
                "infrastructure" => TargetKind::Infrastructure,
                _ => TargetKind::Unknown,
            };
            (span.shift(content.start), kind)
        })
        .collect();
    let after_anchor = |span: Span| span.start >= anchor.start;
    found.sort_by_key(|(span, kind)| (!kind.is_civilian(), !after_anchor(*span), span.start));
    found.first().map(|(span, kind)| Target {
        kind: *kind,
        text: text[span.start..span.end].to_string(),
        span: *span,
    })
}

/// A dateline at the start of a sentence: capitalised place words, optionally a comma and a
/// country, then a dash ("STEPANAKERT/BAKU - ", "GANJA, Azerbaijan - "). The span ends after the dash.
fn dateline(text: &str, sentence: Span) -> Option<Span> {
    let mut head_end = sentence.end.min(sentence.start + 60);
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head = &text[sentence.start..head_end];
    let dash = [" - ", " — ", " – "]
        .iter()
        .filter_map(|d| head.find(d).map(|i| (i, d.len())))
        .min()?;
    let label = &head[..dash.0];
    let first = label.split(',').next()?.trim();
    let caps = first.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && first
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    (caps && label.split_whitespace().count() <= 4)
        .then(|| Span::new(sentence.start, sentence.start + dash.0 + dash.1))
}

/// Turns a reading into a claim, a follow-up of an earlier claim, or a diagnostic.
fn apply(
    r: Reading,
    text: &str,
    input: &ExtractInput<'_>,
    ctx: &mut Context,
    out: &mut Extraction,
) {
    let quote = |span: Span| {
        text[span.start..span.end]
            .chars()
            .take(60)
            .collect::<String>()
    };
    if let Some(span) = r.capped {
        out.diagnostics.push(Diagnostic::new(
            "count_capped",
            format!(
                "\"{}\" gives more than {} people: read as {}, check the figure",
                quote(span),
                casualties::MAX_COUNT,
                casualties::MAX_COUNT
            ),
            Some(span),
        ));
    }
    // A reaction frames the event it reacts to (legal words) and is no incident of its own.
    if r.reaction {
        if let Some(i) = latest(&out.claims, |_| true) {
            for tag in &r.legal {
                if !out.claims[i].legal.contains(tag) {
                    out.claims[i].legal.push(*tag);
                }
            }
        }
        if r.sub_event.is_some() {
            out.diagnostics.push(Diagnostic::new(
                "reaction_statement",
                format!(
                    "\"{}…\" reacts to an event (condemns, urges, mourns) without reporting a new one",
                    quote(r.sentence)
                ),
                Some(r.sentence),
            ));
        }
        return;
    }
    if let Some(bg) = &r.background {
        if r.sub_event.is_some() || !r.casualties.is_empty() {
            out.diagnostics.push(Diagnostic::new(
                "background_event",
                format!("\"{}…\" tells of an event dated {} to {}, long before publication: background, not a new incident", quote(r.sentence), bg.start, bg.end),
                Some(r.sentence),
            ));
        }
        return;
    }
    // "Group X claimed responsibility for the bombing": a statement about who did it. After a
    // claim it adds to that claim; on its own it is no new incident.
    if r.responsibility && ctx.last_claim.is_none() {
        out.diagnostics.push(Diagnostic::new(
            "responsibility_statement",
            format!(
                "\"{}…\" claims or assigns responsibility without reporting a new event",
                quote(r.sentence)
            ),
            Some(r.sentence),
        ));
        return;
    }
    let context_claim = ctx
        .last_claim
        .filter(|(_, para)| r.paragraph <= para + 1)
        .map(|(i, _)| i);

    // "Azerbaijan's Defence Ministry blamed Armenian forces for the attack": a reference back,
    // not a new event.
    // A reference back reaches across paragraphs: "the attacks on 4 October" two paragraphs on.
    let context_claim = if r.anaphora && r.places.is_empty() {
        ctx.last_claim.map(|(i, _)| i)
    } else {
        context_claim
    };
    let r = if r.anaphora && context_claim.is_some() && r.places.is_empty() {
        Reading {
            sub_event: None,
            ..r
        }
    } else {
        r
    };
    // "Explosions shook Stepanakert" in a report of shelling: the same kind of event, here.
    let r = match (r.sub_event, ctx.last_claim) {
        (None, Some((i, _)))
            if r.weak_event
                && !r.places.is_empty()
                && out.claims[i].event_type != EventType::StrategicDevelopments =>
        {
            Reading {
                sub_event: Some(out.claims[i].sub_event_type),
                ..r
            }
        }
        _ => r,
    };
    // Legal framing without an event of its own frames the latest claim of the same speaker.
    let same_speaker =
        |c: &Claim| c.speaker.as_ref().map(|s| &s.name) == r.speaker.as_ref().map(|s| &s.name);
    // A running total ("hundreds killed since the war began") is no incident, whatever the
    // sentence's event words.
    if r.tally {
        out.diagnostics.push(Diagnostic::new(
            "cumulative_tally",
            format!(
                "\"{}…\" is a running total, not one incident",
                quote(r.sentence)
            ),
            Some(r.sentence),
        ));
        return;
    }
    if r.sub_event.is_none() || r.generic {
        if !r.legal.is_empty() {
            let target = latest(&out.claims, same_speaker).or(ctx.last_claim.map(|(i, _)| i));
            if let Some(i) = target {
                for tag in &r.legal {
                    if !out.claims[i].legal.contains(tag) {
                        out.claims[i].legal.push(*tag);
                    }
                }
            }
        }
        if r.generic {
            if r.sub_event.is_some() {
                out.diagnostics.push(Diagnostic::new(
                    "general_statement",
                    format!(
                        "\"{}…\" is a definition or general statement, not a report of an event",
                        quote(r.sentence)
                    ),
                    Some(r.sentence),
                ));
            }
            return;
        }
        // Casualties, a denial or a reference back ("blamed X for the attack") that follow a
        // claim are about its event.
        let follow_up = !r.casualties.is_empty()
            || (r.stance == Stance::Denies && r.speaker.is_some())
            || r.anaphora;
        // The claim followed up: the latest one sharing a place with this sentence, else the latest.
        // Harm and denials follow up violent events, not agreements or troop movements.
        let violent = |c: &Claim| c.event_type != EventType::StrategicDevelopments;
        let context_claim = context_claim.and_then(|last| {
            latest(&out.claims, |c| {
                violent(c)
                    && c.places
                        .iter()
                        .any(|p| r.places.iter().any(|q| q.key() == p.key()))
            })
            .or_else(|| Some(last).filter(|&i| violent(&out.claims[i])))
            .or_else(|| latest(&out.claims, violent))
        });
        if let (Some(i), true) = (context_claim, follow_up) {
            let base = out.claims[i].clone();
            let claim = Claim {
                stance: r.stance,
                speaker: r.speaker,
                // What it says nothing of is the event's: its weapons and target, as the
                // sentence it follows named them (their spans point there).
                weapons: if r.weapons.is_empty() {
                    base.weapons.clone()
                } else {
                    r.weapons
                },
                perpetrator: r.perpetrator.or(base.perpetrator),
                target: r.target.or(base.target),
                civilian_targeting: base.civilian_targeting,
                // The follow-up is about the same event: its place and date are the event's.
                places: base.places,
                date: base.date,
                casualties: r.casualties,
                legal: r.legal,
                sentence: r.sentence,
                event_word: r.event_word,
                ..base
            };
            out.claims.push(claim);
            ctx.last_claim = Some((out.claims.len() - 1, r.paragraph));
        }
        return;
    }
    let Some(sub_event) = r.sub_event else { return };
    // An event needs something that makes it a particular event.
    // A weak event word needs something that makes it a particular event; a strong one stands.
    let anchored = r.strong
        || r.perpetrator.is_some()
        || !r.places.is_empty()
        || r.event_date.is_some()
        || r.casualties
            .iter()
            .any(|c| c.min.is_some() || c.max.is_some())
        || r.target.as_ref().is_some_and(|t| t.kind.is_civilian())
        || !r.weapons.is_empty()
        || r.speaker.is_some();
    if !anchored {
        return;
    }
    let places = r.places;
    // A sentence with neither a place nor a date of its own elaborates the event told before it
    // ("The researchers examined remnants at several impact sites ...").
    let previous = latest(&out.claims, |c| c.event_type == sub_event.event_type());
    // ... unless it accuses another party: "in response to Armenian shelling of its positions"
    // after a report of Azerbaijani shelling is another event, somewhere else.
    let same_side = |i: usize| {
        let theirs = out.claims[i].perpetrator.as_ref().and_then(|p| p.country);
        let ours = r.perpetrator.as_ref().and_then(|p| p.country);
        theirs.is_none() || ours.is_none() || theirs == ours
    };
    let elaboration =
        previous.filter(|&i| places.is_empty() && r.event_date.is_none() && same_side(i));
    let places = match elaboration {
        Some(i) => out.claims[i].places.clone(),
        None if places.is_empty() && names_the_town(text, r.sentence) => {
            // "a missile hit a printing house in the city": the town the report named last.
            latest(&out.claims, |c| {
                c.places.iter().any(|p| p.precision == GeoPrecision::Town)
            })
            .map(|i| {
                out.claims[i]
                    .places
                    .iter()
                    .filter(|p| p.precision == GeoPrecision::Town)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
        }
        None => places,
    };
    // Undated: the statement's date, else the date of the event the report is about, else the
    // week before publication (with no span: it is inferred, not read).
    let date = r
        .event_date
        .or_else(|| elaboration.and_then(|i| out.claims[i].date.clone()))
        .or(r.statement_date)
        .or_else(|| previous.and_then(|i| out.claims[i].date.clone()))
        .or_else(|| {
            input.published.map(|p| DateRange {
                start: p.add_days(-6),
                end: p,
                precision: DatePrecision::Week,
                span: None,
            })
        });
    let mut stance = r.stance;
    if stance == Stance::Alleges && r.speaker.is_none() {
        stance = Stance::Reports;
    }
    let civilian_targeting = r.target.as_ref().is_some_and(|t| t.kind.is_civilian());
    let claim = Claim {
        stance,
        speaker: r.speaker,
        event_type: sub_event.event_type(),
        sub_event_type: sub_event,
        weapons: r.weapons,
        perpetrator: r.perpetrator,
        target: r.target,
        civilian_targeting,
        places,
        date,
        casualties: r.casualties,
        legal: r.legal,
        sentence: r.sentence,
        event_word: r.event_word,
    };
    out.claims.extend(by_town(claim, text));
    ctx.last_claim = Some((out.claims.len() - 1, r.paragraph));
}

/// True when a sentence refers back to a town without naming it ("in the city", "the town's").
fn names_the_town(text: &str, sentence: Span) -> bool {
    let lower = text
        .get(sentence.start..sentence.end)
        .unwrap_or_default()
        .to_lowercase();
    ["the city", "the town", "the village"].iter().any(|w| {
        lower.match_indices(w).any(|(i, _)| {
            !lower[i + w.len()..].starts_with(|c: char| c.is_alphanumeric() && c != 's')
        })
    })
}

/// Towns closer than this are one place for splitting a claim (a town and its suburb).
const SPLIT_KM: f64 = 30.0;

/// A claim about strikes on several towns, one claim per town: "missiles struck Odesa and
/// Mykolaiv, killing three civilians in Odesa" is two events in two places, and each town's
/// incident gets the harm said of it. Only when every count names its town ("three civilians in
/// Odesa"): a count for all of them together ("killing five") cannot be divided, and the claim
/// stays one with both places, so nothing said is lost. Strategic developments (an agreement,
/// a transfer of territory) are never split.
fn by_town(claim: Claim, text: &str) -> Vec<Claim> {
    // An agreement signed in one capital about another place is one event.
    if claim.event_type == EventType::StrategicDevelopments {
        return vec![claim];
    }
    let mut towns: Vec<&PlaceRef> = Vec::new();
    for p in claim
        .places
        .iter()
        .filter(|p| p.precision == GeoPrecision::Town)
    {
        let Some(point) = p.point() else { continue };
        if towns
            .iter()
            .all(|t| t.point().is_some_and(|q| q.distance_km(point) > SPLIT_KM))
        {
            towns.push(p);
        }
    }
    if towns.len() < 2 {
        return vec![claim];
    }
    // The town named at `at` ("in Odesa"): which of `towns` it is and where its name ends.
    let town_at = |at: usize| -> Option<(usize, usize)> {
        let rest = text.get(at..)?;
        let gap = rest.len() - rest.trim_start_matches([' ', ',']).len();
        let word = rest[gap..].strip_prefix("in ")?;
        let from = at + gap + 3;
        towns.iter().enumerate().find_map(|(i, t)| {
            let written = text.get(t.span.start..t.span.end).unwrap_or_default();
            (!written.is_empty()
                && word.starts_with(written)
                && !word[written.len()..].starts_with(char::is_alphanumeric))
            .then_some((i, from + written.len()))
        })
    };
    // A count's town: the one named right after it ("three civilians in Odesa"); and the
    // counts of the same harm that follow it for other towns ("... and two in Mykolaiv").
    let mut casualties = Vec::new();
    let mut owners: Vec<Option<usize>> = Vec::new();
    for c in &claim.casualties {
        let mut owner = town_at(c.span.end);
        casualties.push(c.clone());
        owners.push(owner.map(|(id, _)| id));
        while let Some((_, end)) = owner {
            let Some(rest) = text.get(end..).and_then(|r| r.strip_prefix(" and ")) else {
                break;
            };
            let from = end + 5;
            let word_len = rest
                .find(|ch: char| !ch.is_alphanumeric())
                .unwrap_or(rest.len());
            let word = &rest[..word_len];
            let Some(n) = word
                .parse::<u32>()
                .ok()
                .or_else(|| casualties::number_word(&word.to_lowercase()))
            else {
                break;
            };
            owner = town_at(from + word_len);
            if let Some((id, _)) = owner {
                casualties.push(model::Casualty {
                    min: Some(n),
                    max: Some(n),
                    span: Span::new(from, from + word_len),
                    ..c.clone()
                });
                owners.push(Some(id));
            }
        }
    }
    if owners.iter().any(Option::is_none) {
        return vec![claim];
    }
    let wider: Vec<PlaceRef> = claim
        .places
        .iter()
        .filter(|p| p.precision != GeoPrecision::Town)
        .cloned()
        .collect();
    towns
        .iter()
        .enumerate()
        .map(|(t, town)| {
            let mut places = vec![(*town).clone()];
            places.extend(wider.iter().cloned());
            Claim {
                places,
                casualties: casualties
                    .iter()
                    .zip(&owners)
                    .filter(|(_, o)| **o == Some(t))
                    .map(|(c, _)| c.clone())
                    .collect(),
                ..claim.clone()
            }
        })
        .collect()
}
