//! One way to talk to either database, so the record's SQL is written once: statements use `?`
//! placeholders (rewritten to `$1, $2, …` for PostgreSQL), arguments are a few plain types, and
//! rows are read by column position.

use std::borrow::Cow;

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Row as _};

/// Which database a store speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// An argument of a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    OptText(Option<&'a str>),
    OptInt(Option<i64>),
}

/// A connection of either database (pooled, or inside a transaction).
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// A row of either database.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

/// `sql` with `?` placeholders numbered `$1, $2, …` (outside quoted strings), as PostgreSQL
/// wants them.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match *a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::OptInt(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Conn<'_> {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    fn text<'s>(&self, sql: &'s str) -> Cow<'s, str> {
        match self {
            Conn::Sqlite(_) => Cow::Borrowed(sql),
            Conn::Postgres(_) => Cow::Owned(numbered(sql)),
        }
    }

    /// Runs a statement; returns the number of rows it changed. The prepared statement is kept
    /// for the next call with the same text.
    pub(crate) async fn execute(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<u64, sqlx::Error> {
        self.execute_kept(sql, args, true).await
    }

    /// Runs a query and returns its rows, keeping its prepared statement.
    pub(crate) async fn fetch(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Vec<Row>, sqlx::Error> {
        self.fetch_kept(sql, args, true).await
    }

    /// `execute`, keeping the prepared statement only when `keep`: statements whose text varies
    /// with their number of rows are not kept, or the cache would fill with huge ones.
    async fn execute_kept(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        keep: bool,
    ) -> Result<u64, sqlx::Error> {
        let sql = self.text(sql).into_owned();
        Ok(match self {
            Conn::Sqlite(c) => bind_all!(sqlx::query(AssertSqlSafe(sql)), args)
                .persistent(keep)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Conn::Postgres(c) => bind_all!(sqlx::query(AssertSqlSafe(sql)), args)
                .persistent(keep)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }

    pub(crate) async fn fetch_kept(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        keep: bool,
    ) -> Result<Vec<Row>, sqlx::Error> {
        let sql = self.text(sql).into_owned();
        Ok(match self {
            Conn::Sqlite(c) => bind_all!(sqlx::query(AssertSqlSafe(sql)), args)
                .persistent(keep)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Conn::Postgres(c) => bind_all!(sqlx::query(AssertSqlSafe(sql)), args)
                .persistent(keep)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    /// Runs several statements separated by `;`, with no arguments (schema changes).
    pub(crate) async fn script(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sql.to_string();
        match self {
            Conn::Sqlite(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut **c).await?;
            }
            Conn::Postgres(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut **c).await?;
            }
        }
        Ok(())
    }
}

impl Row {
    pub(crate) fn text(&self, i: usize) -> Result<String, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get(i),
            Row::Postgres(r) => r.try_get(i),
        }
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get(i),
            Row::Postgres(r) => r.try_get(i),
        }
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get(i),
            Row::Postgres(r) => r.try_get(i),
        }
    }
}

/// Most arguments one statement takes: enough rows to amortise a round trip, few enough that
/// a prepared statement stays small (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_ARGS: usize = 2_000;

/// `(?, ?, ?)` for a list of `n` values.
pub(crate) fn list(n: usize) -> String {
    let mut s = String::with_capacity(2 + n * 3);
    s.push('(');
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
    }
    s.push(')');
    s
}

impl Conn<'_> {
    /// Inserts rows of `columns` values each (`args` holds them row after row) with as few
    /// statements as the databases' argument limits allow. `head` is `INSERT INTO t (a, b)`;
    /// `tail` follows the values (`ON CONFLICT DO NOTHING`, or empty).
    pub(crate) async fn insert_rows(
        &mut self,
        head: &str,
        columns: usize,
        args: &[Arg<'_>],
        tail: &str,
    ) -> Result<u64, sqlx::Error> {
        if let Conn::Postgres(_) = self {
            return self.insert_unnest(head, columns, args, tail).await;
        }
        let per = (MAX_ARGS / columns).max(1);
        let row = list(columns);
        let mut changed = 0;
        for chunk in args.chunks(per * columns) {
            let rows = chunk.len() / columns;
            let mut sql =
                String::with_capacity(head.len() + rows * (row.len() + 2) + tail.len() + 8);
            sql.push_str(head);
            sql.push_str(" VALUES ");
            for i in 0..rows {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&row);
            }
            sql.push(' ');
            sql.push_str(tail);
            // The same number of rows, the same text: keep only the full-size statement.
            let keep = rows == per;
            changed += self.execute_kept(&sql, chunk, keep).await?;
        }
        Ok(changed)
    }

    /// PostgreSQL's way of `insert_rows`: each column goes as one array and `UNNEST` turns
    /// them back into rows, so one statement of fixed text (prepared once) takes any number of
    /// rows.
    async fn insert_unnest(
        &mut self,
        head: &str,
        columns: usize,
        args: &[Arg<'_>],
        tail: &str,
    ) -> Result<u64, sqlx::Error> {
        let Some(first) = args.get(..columns) else {
            return Ok(0);
        };
        let mut casts = Vec::with_capacity(columns);
        let mut texts: Vec<Vec<Option<&str>>> = Vec::new();
        let mut ints: Vec<Vec<Option<i64>>> = Vec::new();
        // Where column `c` goes: (is text, index into texts or ints).
        let mut slots = Vec::with_capacity(columns);
        for (c, a) in first.iter().enumerate() {
            let text = matches!(a, Arg::Text(_) | Arg::OptText(_));
            casts.push(format!(
                "${}::{}[]",
                c + 1,
                if text { "text" } else { "int8" }
            ));
            if text {
                slots.push((true, texts.len()));
                texts.push(Vec::with_capacity(args.len() / columns));
            } else {
                slots.push((false, ints.len()));
                ints.push(Vec::with_capacity(args.len() / columns));
            }
        }
        for row in args.chunks(columns) {
            for (a, &(text, i)) in row.iter().zip(&slots) {
                match (*a, text) {
                    (Arg::Text(v), true) => texts[i].push(Some(v)),
                    (Arg::OptText(v), true) => texts[i].push(v),
                    (Arg::Int(v), false) => ints[i].push(Some(v)),
                    (Arg::OptInt(v), false) => ints[i].push(v),
                    _ => {
                        return Err(sqlx::Error::Protocol(format!(
                            "{head}: a column holds both text and numbers"
                        )));
                    }
                }
            }
        }
        let sql = format!("{head} SELECT * FROM UNNEST({}) {tail}", casts.join(", "));
        let Conn::Postgres(c) = self else {
            unreachable!("insert_unnest is PostgreSQL's");
        };
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for &(text, i) in &slots {
            q = if text {
                q.bind(std::mem::take(&mut texts[i]))
            } else {
                q.bind(std::mem::take(&mut ints[i]))
            };
        }
        Ok(q.execute(&mut **c).await?.rows_affected())
    }

    /// Fills the temporary table `name` (created with `columns` if this connection has none
    /// yet) with `args`, `width` values a row, after emptying it.
    pub(crate) async fn temp_rows(
        &mut self,
        name: &str,
        columns: &str,
        width: usize,
        args: &[Arg<'_>],
    ) -> Result<(), sqlx::Error> {
        self.script(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}); DELETE FROM {name};"
        ))
        .await?;
        self.insert_rows(&format!("INSERT INTO {name}"), width, args, "")
            .await?;
        if let Conn::Postgres(_) = self {
            // A temporary table has no statistics until analysed; without them PostgreSQL
            // plans joins against it as if it were large and scans the whole record.
            self.script(&format!("ANALYZE {name}")).await?;
        }
        Ok(())
    }

    /// Runs `select` once for each chunk of `values`, with `{list}` in it replaced by a list of
    /// that chunk's placeholders after the `fixed` arguments, and returns all rows.
    pub(crate) async fn fetch_in(
        &mut self,
        select: &str,
        fixed: &[Arg<'_>],
        values: &[Arg<'_>],
    ) -> Result<Vec<Row>, sqlx::Error> {
        let mut out = Vec::new();
        for chunk in values.chunks(1000) {
            let sql = select.replace("{list}", &list(chunk.len()));
            let mut args: Vec<Arg<'_>> = fixed.to_vec();
            args.extend_from_slice(chunk);
            out.extend(self.fetch_kept(&sql, &args, chunk.len() == 1000).await?);
        }
        Ok(out)
    }

    /// Runs `statement` once for each chunk of `values`, as `fetch_in` does.
    pub(crate) async fn execute_in(
        &mut self,
        statement: &str,
        fixed: &[Arg<'_>],
        values: &[Arg<'_>],
    ) -> Result<u64, sqlx::Error> {
        let mut changed = 0;
        for chunk in values.chunks(1000) {
            let sql = statement.replace("{list}", &list(chunk.len()));
            let mut args: Vec<Arg<'_>> = fixed.to_vec();
            args.extend_from_slice(chunk);
            changed += self.execute_kept(&sql, &args, chunk.len() == 1000).await?;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            super::numbered("SELECT '?' FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT '?' FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
    }
}
