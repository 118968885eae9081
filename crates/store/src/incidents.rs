//! Incidents: rows with the columns queries filter on and the incident as JSON; the places
//! each is at; every id ever minted, live, an alias of the incident it joined, or retired.

use std::collections::{HashMap, HashSet};

use model::{Incident, IncidentId};

use crate::claims;
use crate::conn::{Arg, Conn, Row};
use crate::query::{DayCount, IncidentQuery, MapCell, MapGrid, MapKey, like, sort_day};
use crate::schema::{SPAN_CLASSES, span_class};
use crate::{IncidentChanges, JSON_VERSION, Resolved, StoreResult, corrupt, q};

fn parse(row: &Row, doing: &'static str) -> StoreResult<Incident> {
    let json = row.text(0).map_err(|e| corrupt(doing, e))?;
    serde_json::from_str(&json).map_err(|e| corrupt(doing, e))
}

/// The lower-case words the filters look in.
struct Words {
    types: String,
    weapons: String,
    actors: String,
    search: String,
}

fn words(i: &Incident) -> Words {
    let types = format!("{} {}", i.event_type, i.sub_event_type).to_lowercase();
    let weapons = i.weapons.join("; ").to_lowercase();
    let actors = i
        .perpetrators
        .iter()
        .map(|p| match p.country {
            Some(c) => format!("{} [{}] {}", p.name, c.as_str(), c.name()),
            None => p.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
        .to_lowercase();
    let mut search: Vec<String> = vec![types.clone(), weapons.clone(), actors.clone()];
    for p in &i.places {
        search.push(p.name.to_lowercase());
        search.extend(p.written.iter().map(|w| w.to_lowercase()));
    }
    search.extend(i.origins_for.iter().map(|o| o.name.to_lowercase()));
    search.extend(i.origins_against.iter().map(|o| o.name.to_lowercase()));
    Words {
        types,
        weapons,
        actors,
        search: search.join("; "),
    }
}

/// Writes what re-merging changed: incident rows and places, new ids, aliases, retired ids,
/// and each claim's incident.
pub(crate) async fn write(conn: &mut Conn<'_>, changes: &IncidentChanges<'_>) -> StoreResult<()> {
    let doing = "saving incidents";
    // Ids leaving: aliases of the incident they joined, or retired.
    for (alias, target) in &changes.joined {
        conn.execute(
            "UPDATE incident_ids SET state = 'alias', target = ? WHERE id = ? OR target = ?",
            &[
                Arg::Text(&target.0),
                Arg::Text(&alias.0),
                Arg::Text(&alias.0),
            ],
        )
        .await
        .map_err(q(doing))?;
    }
    for gone in &changes.emptied {
        conn.execute(
            "UPDATE incident_ids SET state = 'retired', target = NULL WHERE id = ? OR target = ?",
            &[Arg::Text(&gone.0), Arg::Text(&gone.0)],
        )
        .await
        .map_err(q(doing))?;
    }
    let leaving: Vec<Arg<'_>> = changes
        .joined
        .iter()
        .map(|(a, _)| Arg::Text(&a.0))
        .chain(changes.emptied.iter().map(|g| Arg::Text(&g.0)))
        .collect();
    let rewritten: Vec<Arg<'_>> = changes
        .write
        .iter()
        .map(|w| Arg::Text(&w.incident.id.0))
        .collect();
    for ids in [&leaving, &rewritten] {
        conn.execute_in(
            "DELETE FROM incident_places WHERE incident_id IN {list}",
            &[],
            ids,
        )
        .await
        .map_err(q(doing))?;
    }
    let gone = conn
        .execute_in("DELETE FROM incidents WHERE id IN {list}", &[], &leaving)
        .await
        .map_err(q(doing))?;
    // Rows written that are not there yet are new to the count.
    let existing = conn
        .fetch_in(
            "SELECT COUNT(*) FROM incidents WHERE id IN {list}",
            &[],
            &rewritten,
        )
        .await
        .map_err(q(doing))?
        .iter()
        .map(|r| r.int(0).map_err(|e| corrupt(doing, e)))
        .sum::<StoreResult<i64>>()?;
    crate::registry::bump(
        conn,
        "incidents",
        rewritten.len() as i64 - existing - gone as i64,
    )
    .await?;

    // New ids.
    let mut minted: Vec<Arg<'_>> = Vec::new();
    for w in &changes.write {
        if let Some(seq) = w.minted {
            minted.extend([
                Arg::Text(&w.incident.id.0),
                Arg::Int(seq as i64),
                Arg::Text("live"),
            ]);
        }
    }
    conn.insert_rows("INSERT INTO incident_ids (id, seq, state)", 3, &minted, "")
        .await
        .map_err(q(doing))?;

    // The incidents themselves, and the places they are at.
    struct Owned {
        words: Words,
        day: i64,
        end: Option<i64>,
    }
    let owned: Vec<Owned> = changes
        .write
        .iter()
        .map(|w| {
            let i = w.incident;
            Ok(Owned {
                words: words(i),
                day: sort_day(i.date_start),
                end: i.date_end.map(model::Date::to_days),
            })
        })
        .collect::<StoreResult<_>>()?;
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(owned.len() * 17);
    let mut span = 0i64;
    for (w, o) in changes.write.iter().zip(&owned) {
        let i = w.incident;
        if let Some(end) = o.end {
            span = span.max(end - o.day);
        }
        args.extend([
            Arg::Text(&i.id.0),
            Arg::Int(o.day),
            Arg::OptInt(o.end),
            Arg::Text(i.event_type.as_str()),
            Arg::Text(i.sub_event_type.as_str()),
            Arg::Text(&o.words.types),
            Arg::Text(i.grade.as_str()),
            Arg::Int(i.n_independent_sources as i64),
            Arg::Int(i.claims.len() as i64),
            Arg::Text(&o.words.weapons),
            Arg::Text(&o.words.actors),
            Arg::Text(&o.words.search),
            Arg::Text(w.json),
            Arg::Int(JSON_VERSION),
            Arg::Int(span_class(o.day, o.end)),
            Arg::OptInt(i.places.first().map(|p| micro_degrees(p.lat))),
            Arg::OptInt(i.places.first().map(|p| micro_degrees(p.lon))),
        ]);
    }
    conn.insert_rows(
        "INSERT INTO incidents (id, sort_day, day_end, event_type, sub_event_type, types_lc, \
         grade, n_sources, n_claims, weapons_lc, actors_lc, search_lc, json, json_version, \
         span_class, lat_e6, lon_e6)",
        17,
        &args,
        "ON CONFLICT (id) DO UPDATE SET sort_day = excluded.sort_day, day_end = excluded.day_end, \
         event_type = excluded.event_type, sub_event_type = excluded.sub_event_type, \
         types_lc = excluded.types_lc, grade = excluded.grade, n_sources = excluded.n_sources, \
         n_claims = excluded.n_claims, weapons_lc = excluded.weapons_lc, \
         actors_lc = excluded.actors_lc, search_lc = excluded.search_lc, json = excluded.json, \
         json_version = excluded.json_version, span_class = excluded.span_class, \
         lat_e6 = excluded.lat_e6, lon_e6 = excluded.lon_e6",
    )
    .await
    .map_err(q(doing))?;
    conn.execute(
        "UPDATE counters SET value = ? WHERE name = 'max_span' AND value < ?",
        &[Arg::Int(span), Arg::Int(span)],
    )
    .await
    .map_err(q(doing))?;

    let mut names: Vec<(usize, i64, String)> = Vec::new();
    for (n, (w, o)) in changes.write.iter().zip(&owned).enumerate() {
        for p in &w.incident.places {
            let mut seen: HashSet<String> = HashSet::new();
            for name in std::iter::once(&p.name).chain(&p.written) {
                let lc = name.to_lowercase();
                if seen.insert(lc.clone()) {
                    names.push((n, p.geonameid as i64, lc));
                }
            }
        }
        let _ = o;
    }
    let mut place_args: Vec<Arg<'_>> = Vec::with_capacity(names.len() * 4);
    for (n, geonameid, name) in &names {
        place_args.extend([
            Arg::Text(&changes.write[*n].incident.id.0),
            Arg::Int(*geonameid),
            Arg::Text(name),
            Arg::Int(owned[*n].day),
        ]);
    }
    conn.insert_rows(
        "INSERT INTO incident_places (incident_id, geonameid, name_lc, sort_day)",
        4,
        &place_args,
        "",
    )
    .await
    .map_err(q(doing))?;
    claims::set_incidents(conn, &changes.membership).await
}

/// The mint order of these incidents.
pub(crate) async fn seqs(
    conn: &mut Conn<'_>,
    ids: &[IncidentId],
) -> StoreResult<HashMap<IncidentId, u64>> {
    let doing = "reading incident ids";
    let values: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(&i.0)).collect();
    let rows = conn
        .fetch_in(
            "SELECT id, seq FROM incident_ids WHERE id IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert(
            IncidentId(r.text(0).map_err(|e| corrupt(doing, e))?),
            r.int(1).map_err(|e| corrupt(doing, e))? as u64,
        );
    }
    Ok(out)
}

/// The ids ever used that equal a base or extend it with `-…`.
pub(crate) async fn taken(conn: &mut Conn<'_>, bases: &[String]) -> StoreResult<HashSet<String>> {
    let doing = "checking incident ids";
    let values: Vec<Arg<'_>> = bases.iter().map(|b| Arg::Text(b)).collect();
    let mut out = HashSet::new();
    for r in conn
        .fetch_in(
            "SELECT id FROM incident_ids WHERE id IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?
    {
        out.insert(r.text(0).map_err(|e| corrupt(doing, e))?);
    }
    // Only a base already used can have its "-2", "-3"… used too.
    let used: Vec<String> = bases.iter().filter(|b| out.contains(*b)).cloned().collect();
    for base in &used {
        // "base-…" sorts from "base-" up to "base." ('.' follows '-').
        let (from, to) = (format!("{base}-"), format!("{base}."));
        let rows = conn
            .fetch(
                "SELECT id FROM incident_ids WHERE id >= ? AND id < ?",
                &[Arg::Text(&from), Arg::Text(&to)],
            )
            .await
            .map_err(q(doing))?;
        for r in &rows {
            out.insert(r.text(0).map_err(|e| corrupt(doing, e))?);
        }
    }
    Ok(out)
}

/// The live incident each id stands for: itself, its alias target, or none.
pub(crate) async fn targets(
    conn: &mut Conn<'_>,
    ids: &[IncidentId],
) -> StoreResult<HashMap<IncidentId, Option<IncidentId>>> {
    let doing = "following incident aliases";
    let values: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(&i.0)).collect();
    let rows = conn
        .fetch_in(
            "SELECT id, state, target FROM incident_ids WHERE id IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    let mut out: HashMap<IncidentId, Option<IncidentId>> =
        ids.iter().map(|i| (i.clone(), None)).collect();
    for r in &rows {
        let c = |e: sqlx::Error| corrupt(doing, e);
        let id = IncidentId(r.text(0).map_err(c)?);
        let now = match (r.text(1).map_err(c)?.as_str(), r.opt_text(2).map_err(c)?) {
            ("live", _) => Some(id.clone()),
            ("alias", Some(t)) => Some(IncidentId(t)),
            _ => None,
        };
        out.insert(id, now);
    }
    Ok(out)
}

/// The aliases of each of these live incidents (ids that joined it), in id order.
pub(crate) async fn aliases_of(
    conn: &mut Conn<'_>,
    ids: &[IncidentId],
) -> StoreResult<HashMap<IncidentId, Vec<IncidentId>>> {
    let doing = "reading incident aliases";
    let values: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(&i.0)).collect();
    let rows = conn
        .fetch_in(
            "SELECT target, id FROM incident_ids WHERE target IN {list} AND state = 'alias'",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    let mut out: HashMap<IncidentId, Vec<IncidentId>> = HashMap::new();
    for r in &rows {
        let c = |e: sqlx::Error| corrupt(doing, e);
        out.entry(IncidentId(r.text(0).map_err(c)?))
            .or_default()
            .push(IncidentId(r.text(1).map_err(c)?));
    }
    // Sorted here: an ORDER BY made SQLite walk the whole id table instead of the target index.
    for list in out.values_mut() {
        list.sort();
    }
    Ok(out)
}

/// Retires live ids with no incident row; returns how many.
pub(crate) async fn retire_orphans(conn: &mut Conn<'_>) -> StoreResult<u64> {
    let doing = "retiring ids of incidents gone";
    conn.execute(
        "UPDATE incident_ids SET state = 'retired', target = NULL WHERE target IN \
         (SELECT id FROM incident_ids WHERE state = 'live' AND id NOT IN (SELECT id FROM incidents))",
        &[],
    )
    .await
    .map_err(q(doing))?;
    conn.execute(
        "UPDATE incident_ids SET state = 'retired' WHERE state = 'live' AND id NOT IN (SELECT id FROM incidents)",
        &[],
    )
    .await
    .map_err(q(doing))
}

/// The incidents stored under these ids.
pub(crate) async fn by_id(conn: &mut Conn<'_>, ids: &[IncidentId]) -> StoreResult<Vec<Incident>> {
    let doing = "reading incidents";
    let values: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(&i.0)).collect();
    let rows = conn
        .fetch_in(
            "SELECT json FROM incidents WHERE id IN {list}",
            &[],
            &values,
        )
        .await
        .map_err(q(doing))?;
    rows.iter().map(|r| parse(r, doing)).collect()
}

/// An incident by id, alias, or a unique prefix of an id.
pub(crate) async fn resolve(conn: &mut Conn<'_>, given: &str) -> StoreResult<Resolved> {
    let doing = "looking up an incident";
    let given = given.trim();
    if let Some(i) = by_id(conn, &[IncidentId(given.to_string())]).await?.pop() {
        return Ok(Resolved::Incident(Box::new(i)));
    }
    let rows = conn
        .fetch(
            "SELECT state, target FROM incident_ids WHERE id = ?",
            &[Arg::Text(given)],
        )
        .await
        .map_err(q(doing))?;
    if let Some(r) = rows.first() {
        let state = r.text(0).map_err(|e| corrupt(doing, e))?;
        let target = r.opt_text(1).map_err(|e| corrupt(doing, e))?;
        return Ok(match (state.as_str(), target) {
            ("alias", Some(t)) => match by_id(conn, &[IncidentId(t)]).await?.pop() {
                Some(i) => Resolved::Alias {
                    alias: IncidentId(given.to_string()),
                    incident: Box::new(i),
                },
                None => Resolved::Retired(IncidentId(given.to_string())),
            },
            _ => Resolved::Retired(IncidentId(given.to_string())),
        });
    }
    // A prefix: ids are ASCII below '~', so every id starting with it sorts before prefix + '~'.
    let upper = format!("{given}~");
    let rows = conn
        .fetch(
            "SELECT id FROM incident_ids WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            &[Arg::Text(given), Arg::Text(&upper)],
        )
        .await
        .map_err(q(doing))?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.text(0).map_err(|e| corrupt(doing, e)))
        .collect::<StoreResult<_>>()?;
    match ids.as_slice() {
        [] => Ok(Resolved::NotFound),
        [one] if one != given => Box::pin(resolve(conn, one)).await,
        _ => Ok(Resolved::Ambiguous(
            ids.into_iter().map(IncidentId).collect(),
        )),
    }
}

/// Millionths of a degree, the unit the map groups by.
fn micro_degrees(deg: f64) -> i64 {
    (deg * 1e6).round() as i64
}

/// The words a query's filters match, lower-cased and escaped once, for the arguments of the
/// SQL that `Selection` writes to borrow.
struct FilterWords {
    place: Option<String>,
    patterns: Vec<(&'static str, String)>,
}

impl FilterWords {
    fn of(query: &IncidentQuery) -> FilterWords {
        FilterWords {
            place: query.place.as_ref().map(|p| p.name.to_lowercase()),
            patterns: [
                ("i.types_lc", &query.event_type),
                ("i.weapons_lc", &query.weapon),
                ("i.actors_lc", &query.actor),
                ("i.search_lc", &query.text),
            ]
            .into_iter()
            .filter_map(|(col, v)| v.as_deref().map(|v| (col, like(v))))
            .collect(),
        }
    }
}

/// The incidents a query selects, as SQL: the table expression (`from`, with its arguments)
/// and every filter but `since` (`filters`, with theirs), written once for the list, the map
/// and the timeline.
struct Selection<'q> {
    from: String,
    from_args: Vec<Arg<'q>>,
    filters: String,
    args: Vec<Arg<'q>>,
    since: Option<i64>,
}

impl<'q> Selection<'q> {
    fn of(query: &'q IncidentQuery, words: &'q FilterWords) -> Selection<'q> {
        let mut filters = String::new();
        let mut args: Vec<Arg<'q>> = Vec::new();
        if let Some(u) = query.until {
            filters.push_str(" AND i.sort_day <= ?");
            args.push(Arg::Int(u.to_days()));
        }
        if let Some(g) = query.grade {
            filters.push_str(" AND i.grade = ?");
            args.push(Arg::Text(g.as_str()));
        }
        for (col, pattern) in &words.patterns {
            filters.push_str(&format!(" AND {col} LIKE ? ESCAPE '\\'"));
            args.push(Arg::Text(pattern));
        }
        // A place drives the query: its incidents come from the index of places (few, whatever
        // the size of the record) and are joined to their rows; a filter on every incident
        // instead would, under PostgreSQL's generic plans, walk the whole record by day looking
        // for a rare place (2.9 s at a million incidents).
        let mut from = String::from("incidents i");
        let mut from_args: Vec<Arg<'q>> = Vec::new();
        if let (Some(place), Some(name)) = (&query.place, &words.place) {
            from = String::from(
                "(SELECT DISTINCT p.incident_id FROM incident_places p WHERE p.name_lc = ?",
            );
            from_args.push(Arg::Text(name));
            if !place.ids.is_empty() {
                from.push_str(&format!(
                    " OR p.geonameid IN {}",
                    crate::conn::list(place.ids.len())
                ));
                from_args.extend(place.ids.iter().map(|id| Arg::Int(*id as i64)));
            }
            from.push_str(") AS pl JOIN incidents i ON i.id = pl.incident_id");
        }
        Selection {
            from,
            from_args,
            filters,
            args,
            since: query.since.map(model::Date::to_days),
        }
    }

    /// A statement giving `columns` (`expression AS name`, comma-separated) of every incident
    /// selected, in no order, with its arguments: for the map and the timeline to group. Not in
    /// the span-class arms the list pages with: a grouping reads every match anyway, and one
    /// condition on the last day lets it read a covering index alone (`incidents_on_map`,
    /// `incidents_on_days`) instead of every incident's row.
    fn rows(&self, columns: &str) -> (String, Vec<Arg<'q>>) {
        let mut all: Vec<Arg<'q>> = Vec::new();
        all.extend_from_slice(&self.from_args);
        let mut filters = String::new();
        if let Some(since) = self.since {
            filters.push_str(" AND i.day_end >= ?");
            all.push(Arg::Int(since));
        }
        all.extend_from_slice(&self.args);
        let sql = format!(
            "SELECT {columns} FROM {} WHERE 1 = 1{filters}{}",
            self.from, self.filters
        );
        (sql, all)
    }

    /// The arguments of one `since` arm up to its filters, and the SQL of its lowest start day:
    /// incidents ending on or after `since`, in each span class, start at most the class's
    /// longest span before it (the last class: the longest span in the record).
    fn since_bounds(&self, class: usize, since: i64, all: &mut Vec<Arg<'q>>) -> &'static str {
        all.extend_from_slice(&self.from_args);
        let low = match SPAN_CLASSES.get(class) {
            Some(bound) => {
                all.push(Arg::Int(since - bound));
                "?"
            }
            None => {
                all.push(Arg::Int(since));
                "? - (SELECT value FROM counters WHERE name = 'max_span')"
            }
        };
        all.push(Arg::Int(since));
        low
    }
}

/// Incidents in order of date, then id.
pub(crate) async fn list(conn: &mut Conn<'_>, query: &IncidentQuery) -> StoreResult<Vec<Incident>> {
    let doing = "listing incidents";
    let words = FilterWords::of(query);
    let mut sel = Selection::of(query, &words);
    if let Some(after) = &query.after {
        sel.filters.push_str(
            " AND (i.sort_day, i.id) > (SELECT sort_day, id FROM incidents WHERE id = ?)",
        );
        sel.args.push(Arg::Text(after));
    }
    let limit = query.limit.map(|n| n.min(i64::MAX as usize) as i64);
    let limit_sql = if limit.is_some() { " LIMIT ?" } else { "" };
    let Some(since) = sel.since else {
        // With a word filter, ids first, then rows: the page's ids come from an index holding
        // the words (`incidents_by_day_words`), so a word few incidents hold is looked for in the
        // index, not in every incident's row (0.2 s against 18 s at a million). Without one, the
        // rows are read in day order directly (an export of everything streams faster so).
        let sql = if words.patterns.is_empty() {
            format!(
                "SELECT i.json FROM {} WHERE 1 = 1{} ORDER BY i.sort_day, i.id{limit_sql}",
                sel.from, sel.filters
            )
        } else {
            format!(
                "SELECT j.json FROM (SELECT i.id AS id, i.sort_day AS sort_day FROM {} WHERE 1 = 1{} \
                 ORDER BY i.sort_day, i.id{limit_sql}) AS s JOIN incidents j ON j.id = s.id \
                 ORDER BY s.sort_day, s.id",
                sel.from, sel.filters
            )
        };
        let mut all = sel.from_args.clone();
        all.extend_from_slice(&sel.args);
        all.extend(limit.map(Arg::Int));
        let rows = conn.fetch(&sql, &all).await.map_err(q(doing))?;
        return rows.iter().map(|r| parse(r, doing)).collect();
    };
    // Each arm a range of the index by class and day, limited, and the arms merged in order.
    let mut arms = Vec::with_capacity(SPAN_CLASSES.len() + 1);
    let mut all: Vec<Arg<'_>> = Vec::new();
    for class in 0..=SPAN_CLASSES.len() {
        let low = sel.since_bounds(class, since, &mut all);
        all.extend_from_slice(&sel.args);
        all.extend(limit.map(Arg::Int));
        arms.push(format!(
            "SELECT * FROM (SELECT i.json, i.sort_day, i.id FROM {} \
             WHERE i.span_class = {class} AND i.sort_day >= {low} AND i.day_end >= ?\
             {} ORDER BY i.sort_day, i.id{limit_sql}) AS a{class}",
            sel.from, sel.filters
        ));
    }
    all.extend(limit.map(Arg::Int));
    let sql = format!(
        "SELECT json FROM ({}) AS arms ORDER BY sort_day, id{limit_sql}",
        arms.join(" UNION ALL ")
    );
    let rows = conn.fetch(&sql, &all).await.map_err(q(doing))?;
    rows.iter().map(|r| parse(r, doing)).collect()
}

/// The selected incidents with a place, grouped into the cells of `grid` (the query's page is
/// ignored): each cell's count, mean position and first id, by grade or event type.
pub(crate) async fn map_cells(
    conn: &mut Conn<'_>,
    query: &IncidentQuery,
    grid: &MapGrid,
) -> StoreResult<Vec<MapCell>> {
    let doing = "grouping incidents for the map";
    let words = FilterWords::of(query);
    let mut sel = Selection::of(query, &words);
    sel.filters.push_str(
        " AND i.lat_e6 IS NOT NULL AND i.lat_e6 >= ? AND i.lat_e6 <= ? \
         AND i.lon_e6 >= ? AND i.lon_e6 <= ?",
    );
    sel.args.extend([
        Arg::Int(grid.south_e6),
        Arg::Int(grid.north_e6),
        Arg::Int(grid.west_e6),
        Arg::Int(grid.east_e6),
    ]);
    let key = match grid.by {
        MapKey::Grade => "i.grade",
        MapKey::EventType => "i.event_type",
    };
    let (rows_sql, mut args) = sel.rows(&format!(
        "i.id AS id, i.lat_e6 AS lat, i.lon_e6 AS lon, {key} AS k"
    ));
    let cell = grid.cell_e6.max(1);
    let sql = format!(
        "SELECT (lat + 90000000) / ? AS cy, (lon + 180000000) / ? AS cx, k, COUNT(*), \
         CAST(AVG(lat) AS BIGINT), CAST(AVG(lon) AS BIGINT), MIN(id) \
         FROM ({rows_sql}) AS m GROUP BY cy, cx, k"
    );
    let mut all = vec![Arg::Int(cell), Arg::Int(cell)];
    all.append(&mut args);
    let rows = conn.fetch(&sql, &all).await.map_err(q(doing))?;
    let mut cells: HashMap<(i64, i64), MapCell> = HashMap::new();
    for r in &rows {
        let e = |e| corrupt(doing, e);
        let at = (r.int(0).map_err(e)?, r.int(1).map_err(e)?);
        let key = r.text(2).map_err(e)?;
        let count = r.int(3).map_err(e)? as u64;
        let (lat, lon) = (r.int(4).map_err(e)?, r.int(5).map_err(e)?);
        let first = r.text(6).map_err(e)?;
        let c = cells.entry(at).or_insert_with(|| MapCell {
            lat_e6: 0,
            lon_e6: 0,
            count: 0,
            first: first.clone(),
            by: Vec::new(),
        });
        // The cell's mean position, weighted by each part's count.
        let total = c.count + count;
        c.lat_e6 = (c.lat_e6 * c.count as i64 + lat * count as i64) / total as i64;
        c.lon_e6 = (c.lon_e6 * c.count as i64 + lon * count as i64) / total as i64;
        c.count = total;
        if first < c.first {
            c.first = first;
        }
        c.by.push((key, count));
    }
    let mut out: Vec<MapCell> = cells.into_values().collect();
    for c in &mut out {
        c.by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    out.sort_by(|a, b| (a.lat_e6, a.lon_e6, &a.first).cmp(&(b.lat_e6, b.lon_e6, &b.first)));
    Ok(out)
}

/// How many selected incidents start on each day (undated ones are left out), in order.
pub(crate) async fn timeline(
    conn: &mut Conn<'_>,
    query: &IncidentQuery,
) -> StoreResult<Vec<DayCount>> {
    let doing = "counting incidents by day";
    let words = FilterWords::of(query);
    let mut sel = Selection::of(query, &words);
    sel.filters.push_str(" AND i.sort_day < ?");
    sel.args.push(Arg::Int(crate::UNDATED));
    let (rows_sql, args) = sel.rows("i.sort_day AS d");
    let sql = format!("SELECT d, COUNT(*) FROM ({rows_sql}) AS m GROUP BY d ORDER BY d");
    let rows = conn.fetch(&sql, &args).await.map_err(q(doing))?;
    rows.iter()
        .map(|r| {
            let e = |e| corrupt(doing, e);
            Ok(DayCount {
                day: r.int(0).map_err(e)?,
                count: r.int(1).map_err(e)? as u64,
            })
        })
        .collect()
}

/// Incidents that share a first day and a first place (the same coordinates) yet are apart:
/// the likeliest duplicates for a person to look at, newest day first, at most `limit` groups.
pub(crate) async fn same_day_and_place(
    conn: &mut Conn<'_>,
    limit: usize,
) -> StoreResult<Vec<Vec<IncidentId>>> {
    let doing = "finding incidents of one day and place";
    let rows = conn
        .fetch(
            "SELECT i.sort_day, i.lat_e6, i.lon_e6, i.id FROM incidents i \
             JOIN (SELECT sort_day, lat_e6, lon_e6 FROM incidents \
                   WHERE lat_e6 IS NOT NULL AND sort_day < ? \
                   GROUP BY sort_day, lat_e6, lon_e6 HAVING COUNT(*) > 1 \
                   ORDER BY sort_day DESC, lat_e6, lon_e6 LIMIT ?) AS g \
               ON i.sort_day = g.sort_day AND i.lat_e6 = g.lat_e6 AND i.lon_e6 = g.lon_e6 \
             ORDER BY i.sort_day DESC, i.lat_e6, i.lon_e6, i.id",
            &[
                Arg::Int(crate::UNDATED),
                Arg::Int(limit.min(i64::MAX as usize) as i64),
            ],
        )
        .await
        .map_err(q(doing))?;
    let mut out: Vec<Vec<IncidentId>> = Vec::new();
    let mut last: Option<(i64, i64, i64)> = None;
    for r in &rows {
        let e = |e| corrupt(doing, e);
        let key = (
            r.int(0).map_err(e)?,
            r.int(1).map_err(e)?,
            r.int(2).map_err(e)?,
        );
        let id = IncidentId(r.text(3).map_err(e)?);
        match out.last_mut() {
            Some(group) if last == Some(key) => group.push(id),
            _ => out.push(vec![id]),
        }
        last = Some(key);
    }
    Ok(out)
}
