//! The word lists that keep ordinary words and people's names from being read as places
//! (`data/*.txt`, each with its source in its header), and the small closed word classes
//! (prepositions, titles, compass words, administrative terms) the recogniser looks at.

use std::collections::HashSet;

const NOT_PLACES: &str = include_str!("../data/not_places.txt");
const COMMON_WORDS: &str = include_str!("../data/common_words.txt");
const PERSON_NAMES: &str = include_str!("../data/person_names.txt");
const GIVEN_NAMES: &str = include_str!("../data/given_names.txt");
const CAPITALS: &str = include_str!("../data/capitals.txt");
const REGION_DEMONYMS: &str = include_str!("../data/region_demonyms.tsv");

/// Every word list compiled in, by name.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    ("not_places.txt", NOT_PLACES),
    ("common_words.txt", COMMON_WORDS),
    ("person_names.txt", PERSON_NAMES),
    ("given_names.txt", GIVEN_NAMES),
    ("capitals.txt", CAPITALS),
    ("region_demonyms.tsv", REGION_DEMONYMS),
];

/// (demonym, place name, feature) rows of `data/region_demonyms.tsv`.
pub(crate) fn region_demonyms() -> Vec<(&'static str, &'static str, model::Feature)> {
    REGION_DEMONYMS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("demonym\t"))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?, model::Feature::parse(f.next()?)?))
        })
        .collect()
}

/// The lists, as sets of keys.
#[derive(Debug)]
pub(crate) struct StopLists {
    /// Never a toponym alone.
    pub not_places: HashSet<&'static str>,
    /// Lower-case English words that are also place names.
    pub common_words: HashSet<&'static str>,
    /// Frequent given names and surnames that are also place names.
    pub person_names: HashSet<&'static str>,
    /// Frequent given names: the capitalised word after one is a surname.
    pub given_names: HashSet<&'static str>,
    /// GeoNames ids of national capitals, named far more often than their size says.
    pub capitals: HashSet<u64>,
}

fn lines(data: &'static str) -> HashSet<&'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

impl StopLists {
    pub fn load() -> StopLists {
        StopLists {
            not_places: lines(NOT_PLACES),
            common_words: lines(COMMON_WORDS),
            person_names: lines(PERSON_NAMES),
            given_names: lines(GIVEN_NAMES),
            capitals: lines(CAPITALS)
                .into_iter()
                .filter_map(|l| l.split('\t').next()?.parse().ok())
                .collect(),
        }
    }
}

/// Words before a name that say it is a place: "in Kherson", "near Avdiivka", "from Ganja".
pub(crate) fn is_locative(key: &str) -> bool {
    matches!(
        key,
        "in" | "at"
            | "near"
            | "from"
            | "to"
            | "into"
            | "outside"
            | "toward"
            | "towards"
            | "across"
            | "around"
            | "through"
            | "throughout"
            | "via"
            | "between"
            | "within"
            | "inside"
            | "on"
            | "over"
            | "nearby"
            | "along"
            | "against"
            | "visit"
            | "visited"
            | "entered"
            | "shelled"
            | "struck"
            | "hit"
            | "captured"
            | "liberated"
            | "bombed"
            | "attacked"
            | "based"
            | "native"
            | "northern"
            | "southern"
            | "eastern"
            | "western"
            | "central"
    )
}

/// Nouns that make "<noun> of X" a place: "the village of Talish", "the outskirts of Donetsk".
pub(crate) fn is_place_noun(key: &str) -> bool {
    matches!(
        key,
        "village"
            | "villages"
            | "town"
            | "towns"
            | "city"
            | "cities"
            | "outskirts"
            | "region"
            | "province"
            | "district"
            | "suburb"
            | "suburbs"
            | "north"
            | "south"
            | "east"
            | "west"
            | "northeast"
            | "northwest"
            | "southeast"
            | "southwest"
            | "capital"
            | "state"
            | "county"
            | "area"
            | "settlement"
            | "settlements"
            | "centre"
            | "center"
            | "heart"
            | "people"
            | "residents"
            | "mayor"
            | "governor"
            | "streets"
            | "parts"
            | "part"
            | "republic"
            | "kingdom"
            | "island"
            | "port"
            | "border"
            | "borders"
    )
}

/// Words before a capitalised name that make it a person: "President Aliyev", "Mr Jackson".
pub(crate) fn is_title(key: &str) -> bool {
    matches!(
        key,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "dr"
            | "sir"
            | "dame"
            | "lord"
            | "lady"
            | "president"
            | "minister"
            | "premier"
            | "chancellor"
            | "king"
            | "queen"
            | "prince"
            | "princess"
            | "pope"
            | "saint"
            | "gen"
            | "general"
            | "col"
            | "colonel"
            | "capt"
            | "captain"
            | "maj"
            | "major"
            | "lt"
            | "lieutenant"
            | "sgt"
            | "sergeant"
            | "gov"
            | "governor"
            | "sen"
            | "senator"
            | "rep"
            | "representative"
            | "judge"
            | "justice"
            | "mayor"
            | "officer"
            | "deputy"
            | "sheriff"
            | "detective"
            | "coach"
            | "pastor"
            | "rev"
            | "reverend"
            | "father"
            | "brother"
            | "sister"
            | "uncle"
            | "aunt"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "commissioner"
            | "chairman"
            | "director"
            | "professor"
            | "prof"
            | "ambassador"
            | "secretary"
    )
}

/// Verbs after a name that make it a person: "Jackson said".
pub(crate) fn is_speech_verb(key: &str) -> bool {
    matches!(
        key,
        "said"
            | "says"
            | "told"
            | "added"
            | "explained"
            | "wrote"
            | "asked"
            | "noted"
            | "stated"
            | "replied"
            | "recalled"
            | "argued"
            | "believes"
            | "thinks"
            | "who"
            | "whose"
            | "himself"
            | "herself"
    )
}

/// Words that may sit between the capitalised words of a name ("Bosnia and Herzegovina",
/// "Rostov-on-Don", "Sharm el-Sheikh").
pub(crate) fn is_connector(key: &str) -> bool {
    matches!(
        key,
        "of" | "and"
            | "the"
            | "on"
            | "upon"
            | "de"
            | "del"
            | "della"
            | "di"
            | "da"
            | "do"
            | "dos"
            | "das"
            | "du"
            | "des"
            | "la"
            | "le"
            | "les"
            | "el"
            | "al"
            | "ad"
            | "ash"
            | "as"
            | "ar"
            | "an"
            | "at"
            | "az"
            | "en"
            | "sur"
            | "am"
            | "im"
            | "der"
            | "den"
            | "van"
            | "von"
            | "y"
            | "e"
            | "i"
            | "ez"
            | "ed"
            | "er"
            | "es"
            | "et"
            | "ul"
            | "ud"
            | "ur"
            | "us"
            | "uz"
            | "un"
            | "ath"
            | "adh"
            | "bin"
            | "ibn"
            | "bani"
            | "beni"
            | "tal"
    )
}

/// Words after a name that make it an administrative division: "Donetsk Oblast", "Idlib province".
pub(crate) fn is_admin_term(key: &str) -> bool {
    matches!(
        key,
        "oblast"
            | "region"
            | "province"
            | "governorate"
            | "district"
            | "county"
            | "parish"
            | "state"
            | "raion"
            | "rayon"
            | "municipality"
            | "prefecture"
            | "department"
            | "territory"
            | "krai"
            | "marz"
            | "canton"
            | "emirate"
            | "voivodeship"
            | "okrug"
            | "borough"
            | "counties"
            | "parishes"
            | "provinces"
            | "regions"
            | "districts"
            | "governorates"
            | "oblasts"
            | "states"
    )
}

/// Capitalised words before a name that are part of a place description, not another name.
pub(crate) fn is_compass(key: &str) -> bool {
    matches!(
        key,
        "north"
            | "south"
            | "east"
            | "west"
            | "northern"
            | "southern"
            | "eastern"
            | "western"
            | "central"
            | "northeastern"
            | "northwestern"
            | "southeastern"
            | "southwestern"
            | "upper"
            | "lower"
            | "greater"
            | "downtown"
            | "rural"
            | "occupied"
            | "liberated"
            | "besieged"
            | "in"
            | "at"
            | "the"
            | "and"
            | "from"
            | "to"
            | "of"
            | "near"
            | "for"
            | "by"
            | "on"
            | "with"
            | "but"
            | "or"
            | "as"
            | "a"
            | "an"
            | "after"
            | "before"
            | "while"
            | "when"
            | "across"
            | "since"
            | "than"
            | "into"
            | "if"
    )
}

/// Capitalised words after a place name that make the name of a body or an agreement called after
/// the place, not a mention of where something is: "Minsk Group", "Dayton Accords", "Astana format".
pub(crate) fn is_pact(key: &str) -> bool {
    matches!(
        key,
        "group"
            | "agreement"
            | "agreements"
            | "accord"
            | "accords"
            | "protocol"
            | "protocols"
            | "format"
            | "process"
            | "convention"
            | "conventions"
            | "declaration"
            | "memorandum"
            | "treaty"
            | "principles"
            | "communique"
    )
}

/// Capitalised words after a place name that make a name of an institution of that place, which
/// is still a mention of the place: "Columbus Police", "Laurel County Sheriff", "Kyiv City Council".
pub(crate) fn is_institution(key: &str) -> bool {
    matches!(
        key,
        "police"
            | "sheriff"
            | "sheriffs"
            | "deputies"
            | "township"
            | "superintendent"
            | "fire"
            | "city"
            | "town"
            | "village"
            | "county"
            | "council"
            | "mayor"
            | "hospital"
            | "school"
            | "schools"
            | "high"
            | "middle"
            | "elementary"
            | "university"
            | "college"
            | "airport"
            | "station"
            | "port"
            | "court"
            | "district"
            | "regional"
            | "municipal"
            | "public"
            | "state"
            | "national"
            | "international"
            | "metropolitan"
            | "metro"
            | "area"
            | "region"
            | "province"
            | "governorate"
            | "oblast"
            | "administration"
            | "government"
            | "department"
            | "office"
            | "prosecutor"
            | "prison"
            | "jail"
            | "zoo"
            | "library"
            | "museum"
            | "church"
            | "cathedral"
            | "mosque"
            | "street"
            | "road"
            | "avenue"
            | "highway"
            | "bridge"
            | "river"
            | "lake"
            | "valley"
            | "mountains"
            | "times"
            | "post"
            | "herald"
            | "tribune"
            | "chamber"
            | "board"
            | "commission"
            | "authority"
            | "forces"
            | "army"
            | "military"
            | "front"
            | "offensive"
            | "operation"
            | "residents"
            | "officials"
            | "bureau"
            | "agency"
            | "assembly"
            | "legislature"
            | "guard"
            | "patrol"
            | "transit"
            | "water"
            | "health"
            | "medical"
            | "center"
            | "centre"
            | "institute"
            | "association"
            | "society"
            | "historical"
            | "club"
            | "league"
            | "chronicle"
            | "gazette"
            | "journal"
            | "observer"
            | "press"
            | "daily"
            | "news"
            | "community"
            | "convention"
            | "marathon"
    )
}
