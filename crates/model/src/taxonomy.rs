//! The ACLED event taxonomy: 6 event types and 25 sub-event types, with ACLED's exact strings.

use std::fmt;

use serde::{Deserialize, Serialize};

/// ACLED's six event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "Battles")]
    Battles,
    #[serde(rename = "Explosions/Remote violence")]
    ExplosionsRemoteViolence,
    #[serde(rename = "Violence against civilians")]
    ViolenceAgainstCivilians,
    #[serde(rename = "Protests")]
    Protests,
    #[serde(rename = "Riots")]
    Riots,
    #[serde(rename = "Strategic developments")]
    StrategicDevelopments,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::Battles,
        EventType::ExplosionsRemoteViolence,
        EventType::ViolenceAgainstCivilians,
        EventType::Protests,
        EventType::Riots,
        EventType::StrategicDevelopments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Battles => "Battles",
            EventType::ExplosionsRemoteViolence => "Explosions/Remote violence",
            EventType::ViolenceAgainstCivilians => "Violence against civilians",
            EventType::Protests => "Protests",
            EventType::Riots => "Riots",
            EventType::StrategicDevelopments => "Strategic developments",
        }
    }

    /// Parses ACLED's string, ignoring case.
    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! sub_event_types {
    ($($variant:ident => $text:literal, $parent:ident, $case:literal;)*) => {
        /// ACLED's 25 sub-event types.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum SubEventType {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl SubEventType {
            pub const ALL: [SubEventType; 25] = [$(SubEventType::$variant,)*];

            /// ACLED's exact string, e.g. `"Shelling/artillery/missile attack"`.
            pub fn as_str(self) -> &'static str {
                match self { $(SubEventType::$variant => $text,)* }
            }

            /// The event type this sub-event type belongs to.
            pub fn event_type(self) -> EventType {
                match self { $(SubEventType::$variant => EventType::$parent,)* }
            }

            /// The label the CASE 2021 shared task uses for this sub-event type.
            pub fn case_code(self) -> &'static str {
                match self { $(SubEventType::$variant => $case,)* }
            }
        }
    };
}

sub_event_types! {
    ArmedClash => "Armed clash", Battles, "ARMED_CLASH";
    GovernmentRegainsTerritory => "Government regains territory", Battles, "GOV_REGAINS_TERIT";
    NonStateActorOvertakesTerritory => "Non-state actor overtakes territory", Battles, "NON_STATE_ACTOR_OVERTAKES_TER";
    ChemicalWeapon => "Chemical weapon", ExplosionsRemoteViolence, "CHEM_WEAP";
    AirDroneStrike => "Air/drone strike", ExplosionsRemoteViolence, "AIR_STRIKE";
    SuicideBomb => "Suicide bomb", ExplosionsRemoteViolence, "SUIC_BOMB";
    ShellingArtilleryMissileAttack => "Shelling/artillery/missile attack", ExplosionsRemoteViolence, "ART_MISS_ATTACK";
    RemoteExplosiveLandmineIed => "Remote explosive/landmine/IED", ExplosionsRemoteViolence, "REM_EXPLOS";
    Grenade => "Grenade", ExplosionsRemoteViolence, "GRENADE";
    SexualViolence => "Sexual violence", ViolenceAgainstCivilians, "SEX_VIOL";
    Attack => "Attack", ViolenceAgainstCivilians, "ATTACK";
    AbductionForcedDisappearance => "Abduction/forced disappearance", ViolenceAgainstCivilians, "ABDUCT_DISSAP";
    PeacefulProtest => "Peaceful protest", Protests, "PEACE_PROTEST";
    ProtestWithIntervention => "Protest with intervention", Protests, "PROTEST_WITH_INTER";
    ExcessiveForceAgainstProtesters => "Excessive force against protesters", Protests, "FORCE_AGAINST_PROTEST";
    ViolentDemonstration => "Violent demonstration", Riots, "VIOL_DEMONSTR";
    MobViolence => "Mob violence", Riots, "MOB_VIOL";
    Agreement => "Agreement", StrategicDevelopments, "AGREEMENT";
    Arrests => "Arrests", StrategicDevelopments, "ARREST";
    ChangeToGroupActivity => "Change to group/activity", StrategicDevelopments, "CHANGE_TO_GROUP_ACT";
    DisruptedWeaponsUse => "Disrupted weapons use", StrategicDevelopments, "DISR_WEAP";
    HeadquartersOrBaseEstablished => "Headquarters or base established", StrategicDevelopments, "HQ_ESTABLISHED";
    LootingPropertyDestruction => "Looting/property destruction", StrategicDevelopments, "PROPERTY_DISTRUCT";
    NonViolentTransferOfTerritory => "Non-violent transfer of territory", StrategicDevelopments, "NON_VIOL_TERRIT_TRANSFER";
    Other => "Other", StrategicDevelopments, "OTHER";
}

impl SubEventType {
    /// Parses ACLED's string or a CASE code, ignoring case.
    pub fn parse(s: &str) -> Option<SubEventType> {
        let s = s.trim();
        SubEventType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s) || t.case_code().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for SubEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_has_six_types_and_twenty_five_subtypes() {
        for t in EventType::ALL {
            let n = SubEventType::ALL
                .iter()
                .filter(|s| s.event_type() == t)
                .count();
            let expected = match t {
                EventType::Battles | EventType::ViolenceAgainstCivilians | EventType::Protests => 3,
                EventType::ExplosionsRemoteViolence => 6,
                EventType::Riots => 2,
                EventType::StrategicDevelopments => 8,
            };
            assert_eq!(n, expected, "{t}");
        }
        assert_eq!(
            SubEventType::parse("ART_MISS_ATTACK"),
            Some(SubEventType::ShellingArtilleryMissileAttack)
        );
        assert_eq!(
            SubEventType::parse("air/drone strike"),
            Some(SubEventType::AirDroneStrike)
        );
    }
}
