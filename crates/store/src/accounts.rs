//! Accounts and their credentials: who may use the server, in which role, with which password
//! hash, and the browser sessions and API tokens that stand for them. A credential is kept as
//! the SHA-256 of its secret, so a copy of the database signs no one in.

use crate::conn::{Arg, Conn, Row};
use crate::{StoreResult, corrupt, q};

/// A person (or program) who may use the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    /// `viewer`, `reviewer` or `admin` (the façade gives them meaning).
    pub role: String,
    /// The password as a PHC string (Argon2id).
    pub password: String,
    /// RFC 3339 UTC.
    pub created: String,
}

/// A session or API token: the hash of its secret, whose it is and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub token_sha256: String,
    pub account: String,
    /// `session` or `token`.
    pub kind: String,
    /// The session's anti-forgery token (empty for an API token, which no browser sends).
    pub csrf: String,
    /// What it is for ("laptop", "import script").
    pub label: String,
    pub created: String,
    /// RFC 3339 UTC; `None` never.
    pub expires: Option<String>,
}

fn account(r: &Row, doing: &'static str) -> StoreResult<Account> {
    let e = |e| corrupt(doing, e);
    Ok(Account {
        name: r.text(0).map_err(e)?,
        role: r.text(1).map_err(e)?,
        password: r.text(2).map_err(e)?,
        created: r.text(3).map_err(e)?,
    })
}

pub(crate) async fn list(conn: &mut Conn<'_>) -> StoreResult<Vec<Account>> {
    let doing = "listing accounts";
    let rows = conn
        .fetch(
            "SELECT name, role, password, created FROM accounts ORDER BY name_lc",
            &[],
        )
        .await
        .map_err(q(doing))?;
    rows.iter().map(|r| account(r, doing)).collect()
}

pub(crate) async fn get(conn: &mut Conn<'_>, name: &str) -> StoreResult<Option<Account>> {
    let doing = "reading an account";
    let lc = name.to_lowercase();
    let rows = conn
        .fetch(
            "SELECT name, role, password, created FROM accounts WHERE name_lc = ?",
            &[Arg::Text(&lc)],
        )
        .await
        .map_err(q(doing))?;
    rows.first().map(|r| account(r, doing)).transpose()
}

/// Adds an account; false when one of that name (any case) exists.
pub(crate) async fn add(conn: &mut Conn<'_>, a: &Account) -> StoreResult<bool> {
    let lc = a.name.to_lowercase();
    let added = conn
        .insert_rows(
            "INSERT INTO accounts (name_lc, name, role, password, created)",
            5,
            &[
                Arg::Text(&lc),
                Arg::Text(&a.name),
                Arg::Text(&a.role),
                Arg::Text(&a.password),
                Arg::Text(&a.created),
            ],
            "ON CONFLICT (name_lc) DO NOTHING",
        )
        .await
        .map_err(q("adding an account"))?;
    Ok(added == 1)
}

/// Replaces an account's role and password hash and ends its sessions and tokens (a reset
/// password or a new role signs everyone out); false when there is no such account.
pub(crate) async fn update(conn: &mut Conn<'_>, a: &Account) -> StoreResult<bool> {
    let doing = "changing an account";
    let lc = a.name.to_lowercase();
    // Sessions first: a crash between the two leaves the old password with no one signed in.
    end_all(conn, &lc).await?;
    let changed = conn
        .execute(
            "UPDATE accounts SET role = ?, password = ? WHERE name_lc = ?",
            &[Arg::Text(&a.role), Arg::Text(&a.password), Arg::Text(&lc)],
        )
        .await
        .map_err(q(doing))?;
    Ok(changed == 1)
}

/// Removes an account and every credential of it; false when there is none.
pub(crate) async fn remove(conn: &mut Conn<'_>, name: &str) -> StoreResult<bool> {
    let lc = name.to_lowercase();
    end_all(conn, &lc).await?;
    let removed = conn
        .execute("DELETE FROM accounts WHERE name_lc = ?", &[Arg::Text(&lc)])
        .await
        .map_err(q("removing an account"))?;
    Ok(removed == 1)
}

async fn end_all(conn: &mut Conn<'_>, lc: &str) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM credentials WHERE account_lc = ?",
        &[Arg::Text(lc)],
    )
    .await
    .map_err(q("ending an account's sessions"))?;
    Ok(())
}

pub(crate) async fn add_credential(conn: &mut Conn<'_>, c: &Credential) -> StoreResult<()> {
    let lc = c.account.to_lowercase();
    conn.insert_rows(
        "INSERT INTO credentials (token_sha256, account_lc, kind, csrf, label, created, expires)",
        7,
        &[
            Arg::Text(&c.token_sha256),
            Arg::Text(&lc),
            Arg::Text(&c.kind),
            Arg::Text(&c.csrf),
            Arg::Text(&c.label),
            Arg::Text(&c.created),
            Arg::OptText(c.expires.as_deref()),
        ],
        "",
    )
    .await
    .map_err(q("recording a session"))?;
    Ok(())
}

/// The credential with this hash and its account (`None` when either is gone).
pub(crate) async fn credential(
    conn: &mut Conn<'_>,
    token_sha256: &str,
) -> StoreResult<Option<(Credential, Account)>> {
    let doing = "reading a session";
    let rows = conn
        .fetch(
            "SELECT a.name, a.role, a.password, a.created, c.kind, c.csrf, c.label, c.created, \
             c.expires FROM credentials c JOIN accounts a ON a.name_lc = c.account_lc \
             WHERE c.token_sha256 = ?",
            &[Arg::Text(token_sha256)],
        )
        .await
        .map_err(q(doing))?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let e = |e| corrupt(doing, e);
    let a = account(r, doing)?;
    let c = Credential {
        token_sha256: token_sha256.to_string(),
        account: a.name.clone(),
        kind: r.text(4).map_err(e)?,
        csrf: r.text(5).map_err(e)?,
        label: r.text(6).map_err(e)?,
        created: r.text(7).map_err(e)?,
        expires: r.opt_text(8).map_err(e)?,
    };
    Ok(Some((c, a)))
}

/// Ends one credential (logout, a token revoked) and every session expired by `now`.
pub(crate) async fn end_credential(
    conn: &mut Conn<'_>,
    token_sha256: &str,
    now: &str,
) -> StoreResult<()> {
    let doing = "ending a session";
    conn.execute(
        "DELETE FROM credentials WHERE token_sha256 = ? OR (expires IS NOT NULL AND expires < ?)",
        &[Arg::Text(token_sha256), Arg::Text(now)],
    )
    .await
    .map_err(q(doing))?;
    Ok(())
}
