//! Claims: one assertion found in a document, with every field pointing at the words it came from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CountryCode, Date, DatePrecision, EventType, PlaceRef, Span, SubEventType};

/// How the speaker holds the assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Accuses someone ("X said Azerbaijan is using cluster munitions").
    Alleges,
    /// Relays an event in the publisher's own voice or as news.
    Reports,
    /// Affirms from evidence or admission (an on-site investigation, a party admitting).
    Confirms,
    /// Rejects the assertion ("denied", "fake", "rejected the claims").
    Denies,
    /// Qualified ("allegedly", "reportedly", "may have").
    Hedged,
}

impl Stance {
    pub const ALL: [Stance; 5] = [
        Stance::Alleges,
        Stance::Reports,
        Stance::Confirms,
        Stance::Denies,
        Stance::Hedged,
    ];

    /// A stance by its name, or a message saying which names there are.
    pub fn parse(s: &str) -> Result<Stance, String> {
        Stance::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                format!("{s:?} is not a stance: use alleges, reports, confirms, denies or hedged")
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Alleges => "alleges",
            Stance::Reports => "reports",
            Stance::Confirms => "confirms",
            Stance::Denies => "denies",
            Stance::Hedged => "hedged",
        }
    }
}

impl fmt::Display for Stance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is quoted; `None` on a claim means the publisher's own voice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    /// The country the speaker speaks for, when the role or name says so.
    #[serde(default)]
    pub country: Option<CountryCode>,
    pub span: Span,
}

/// Classes of weapon (DESIGN.md and the weapons lexicon).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeaponCategory {
    ClusterMunition,
    RocketArtillery,
    TubeArtillery,
    Mortar,
    BallisticMissile,
    CruiseMissile,
    Missile,
    AirDroppedBomb,
    BarrelBomb,
    Drone,
    LoiteringMunition,
    Landmine,
    Ied,
    Grenade,
    Incendiary,
    Chemical,
    SmallArms,
    Aircraft,
    Explosive,
}

impl WeaponCategory {
    pub const ALL: [WeaponCategory; 19] = [
        WeaponCategory::ClusterMunition,
        WeaponCategory::RocketArtillery,
        WeaponCategory::TubeArtillery,
        WeaponCategory::Mortar,
        WeaponCategory::BallisticMissile,
        WeaponCategory::CruiseMissile,
        WeaponCategory::Missile,
        WeaponCategory::AirDroppedBomb,
        WeaponCategory::BarrelBomb,
        WeaponCategory::Drone,
        WeaponCategory::LoiteringMunition,
        WeaponCategory::Landmine,
        WeaponCategory::Ied,
        WeaponCategory::Grenade,
        WeaponCategory::Incendiary,
        WeaponCategory::Chemical,
        WeaponCategory::SmallArms,
        WeaponCategory::Aircraft,
        WeaponCategory::Explosive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WeaponCategory::ClusterMunition => "cluster_munition",
            WeaponCategory::RocketArtillery => "rocket_artillery",
            WeaponCategory::TubeArtillery => "tube_artillery",
            WeaponCategory::Mortar => "mortar",
            WeaponCategory::BallisticMissile => "ballistic_missile",
            WeaponCategory::CruiseMissile => "cruise_missile",
            WeaponCategory::Missile => "missile",
            WeaponCategory::AirDroppedBomb => "air_dropped_bomb",
            WeaponCategory::BarrelBomb => "barrel_bomb",
            WeaponCategory::Drone => "drone",
            WeaponCategory::LoiteringMunition => "loitering_munition",
            WeaponCategory::Landmine => "landmine",
            WeaponCategory::Ied => "ied",
            WeaponCategory::Grenade => "grenade",
            WeaponCategory::Incendiary => "incendiary",
            WeaponCategory::Chemical => "chemical",
            WeaponCategory::SmallArms => "small_arms",
            WeaponCategory::Aircraft => "aircraft",
            WeaponCategory::Explosive => "explosive",
        }
    }

    pub fn parse(s: &str) -> Option<WeaponCategory> {
        WeaponCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }
}

impl fmt::Display for WeaponCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A weapon named in a claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeaponMention {
    /// The lexicon's canonical name ("LAR-160", "cluster munition").
    pub name: String,
    pub category: WeaponCategory,
    /// True for systems able to deliver cluster munitions (LAR-160, BM-30 Smerch).
    #[serde(default)]
    pub cluster_capable: bool,
    pub span: Span,
}

/// What kind of armed actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    StateForces,
    State,
    Police,
    NonState,
    Militia,
    Unidentified,
}

/// An alleged perpetrator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    #[serde(default)]
    pub country: Option<CountryCode>,
    pub kind: ActorKind,
    pub span: Span,
}

/// Who or what was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Civilians,
    CivilianObject,
    Military,
    Infrastructure,
    Unknown,
}

impl TargetKind {
    pub fn is_civilian(self) -> bool {
        matches!(self, TargetKind::Civilians | TargetKind::CivilianObject)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKind,
    pub text: String,
    pub span: Span,
}

/// When the event happened, as precisely as the text says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
    pub precision: DatePrecision,
    /// The words that gave the date; `None` when it was inferred from the publication date.
    pub span: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyGroup {
    Civilian,
    Military,
    Unspecified,
}

impl CasualtyGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            CasualtyGroup::Civilian => "civilian",
            CasualtyGroup::Military => "military",
            CasualtyGroup::Unspecified => "unspecified",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyOutcome {
    Killed,
    Injured,
    Missing,
}

impl CasualtyOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CasualtyOutcome::Killed => "killed",
            CasualtyOutcome::Injured => "injured",
            CasualtyOutcome::Missing => "missing",
        }
    }
}

/// Harm to one group; `min`/`max` are `None` when the report gives no number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Casualty {
    pub group: CasualtyGroup,
    pub outcome: CasualtyOutcome,
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub span: Span,
}

/// Legal framing a claim invokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalTag {
    IhlViolation,
    WarCrime,
    IndiscriminateAttack,
    ClusterMunitionConvention,
    MineBanTreaty,
}

impl LegalTag {
    pub fn as_str(self) -> &'static str {
        match self {
            LegalTag::IhlViolation => "ihl_violation",
            LegalTag::WarCrime => "war_crime",
            LegalTag::IndiscriminateAttack => "indiscriminate_attack",
            LegalTag::ClusterMunitionConvention => "cluster_munition_convention",
            LegalTag::MineBanTreaty => "mine_ban_treaty",
        }
    }

    pub fn parse(s: &str) -> Option<LegalTag> {
        Some(match s.trim() {
            "ihl_violation" => LegalTag::IhlViolation,
            "war_crime" => LegalTag::WarCrime,
            "indiscriminate_attack" => LegalTag::IndiscriminateAttack,
            "cluster_munition_convention" => LegalTag::ClusterMunitionConvention,
            "mine_ban_treaty" => LegalTag::MineBanTreaty,
            _ => return None,
        })
    }
}

/// One assertion found in a document: never a fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub stance: Stance,
    pub speaker: Option<Speaker>,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    pub weapons: Vec<WeaponMention>,
    pub perpetrator: Option<Actor>,
    pub target: Option<Target>,
    pub civilian_targeting: bool,
    pub places: Vec<PlaceRef>,
    pub date: Option<DateRange>,
    pub casualties: Vec<Casualty>,
    pub legal: Vec<LegalTag>,
    /// The sentence (or sentences) the claim was read from.
    pub sentence: Span,
    /// The word that tells the event ("shelled", "strike", or the weapon used): with the
    /// sentence, it makes the claim's id. `None` when nothing in the sentence names the event.
    #[serde(default)]
    pub event_word: Option<Span>,
}

impl Claim {
    /// Every span the claim points at, for checking they index the text.
    pub fn spans(&self) -> Vec<Span> {
        let mut spans = vec![self.sentence];
        spans.extend(self.event_word);
        spans.extend(self.speaker.iter().map(|s| s.span));
        spans.extend(self.weapons.iter().map(|w| w.span));
        spans.extend(self.perpetrator.iter().map(|a| a.span));
        spans.extend(self.target.iter().map(|t| t.span));
        spans.extend(self.places.iter().map(|p| p.span));
        spans.extend(self.date.iter().filter_map(|d| d.span));
        spans.extend(self.casualties.iter().map(|c| c.span));
        spans
    }

    /// Moves every span the claim points at `by` bytes later: a claim read from a piece of a
    /// longer text, placed in that text.
    pub fn shift(&mut self, by: usize) {
        let mut spans: Vec<&mut Span> = vec![&mut self.sentence];
        spans.extend(self.event_word.as_mut());
        spans.extend(self.speaker.iter_mut().map(|s| &mut s.span));
        spans.extend(self.weapons.iter_mut().map(|w| &mut w.span));
        spans.extend(self.perpetrator.iter_mut().map(|a| &mut a.span));
        spans.extend(self.target.iter_mut().map(|t| &mut t.span));
        spans.extend(self.places.iter_mut().map(|p| &mut p.span));
        spans.extend(self.date.iter_mut().filter_map(|d| d.span.as_mut()));
        spans.extend(self.casualties.iter_mut().map(|c| &mut c.span));
        for s in spans {
            s.start += by;
            s.end += by;
        }
    }
}

/// Something a reader of the output should know: a skipped sentence, an unread language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// A stable, machine-readable code such as `background_event` or `language_not_supported`.
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub span: Option<Span>,
}

impl Diagnostic {
    pub fn new(code: &str, message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            message: message.into(),
            span,
        }
    }
}
