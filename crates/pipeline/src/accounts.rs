//! Accounts, roles and sign-in: who may read and who may change the record through a face that
//! many people share (the server). Passwords are kept as Argon2id hashes (PHC strings); a
//! session or API token is a random secret the holder keeps and the store knows only by its
//! SHA-256. The face reads the clock and passes the time in.

use sha2::{Digest, Sha256};

use crate::{PipelineError, Reviewer, Service};

/// What an account may do. Each role may do what the ones before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the record.
    Viewer,
    /// Also decides: merges, splits, grades, rejects and corrects; uploads reports.
    Reviewer,
    /// Also manages accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = PipelineError;

    fn from_str(s: &str) -> Result<Role, PipelineError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                PipelineError::BadArgument(format!(
                    "{s:?} is not a role: viewer, reviewer or admin"
                ))
            })
    }
}

/// An account as faces show it: never its password hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccountView {
    pub name: String,
    pub role: Role,
    pub created: String,
}

/// Who a session or token stands for, as the face checks on every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub account: String,
    pub role: Role,
    /// The session's anti-forgery token, which every form it posts must carry (empty for an
    /// API token: programs send it in a header no browser adds by itself).
    pub csrf: String,
    pub kind: CredentialKind,
}

impl SignedIn {
    /// The reviewer a decision made by this account names.
    pub fn reviewer(&self, at: jiff::Timestamp, note: &str) -> Reviewer {
        Reviewer {
            name: self.account.clone(),
            at: rfc3339(at),
            note: note.to_string(),
        }
    }
}

/// A browser's session or a program's token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    Session,
    Token,
}

impl CredentialKind {
    fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::Token => "token",
        }
    }
}

/// A new session: the secret for the cookie, its anti-forgery token and when it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires: jiff::Timestamp,
    pub signed_in: SignedIn,
}

/// The shortest password an account may have.
pub const MIN_PASSWORD: usize = 10;

/// How long a session lasts without signing in again: a working day.
pub const SESSION_HOURS: i64 = 12;

fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn bad(message: impl Into<String>) -> PipelineError {
    PipelineError::BadArgument(message.into())
}

/// `n` random bytes as lower-case hex (for secrets: sessions, tokens, anti-forgery values).
pub fn random_hex(n: usize) -> Result<String, PipelineError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| bad(format!("no randomness for a secret: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hash_password(password: &str) -> Result<String, PipelineError> {
    use argon2::password_hash::PasswordHasher;
    if password.chars().count() < MIN_PASSWORD {
        return Err(bad(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| bad(format!("no randomness for a salt: {e}")))?;
    let hash = argon2::Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| bad(format!("cannot hash the password: {e}")))?;
    Ok(hash.to_string())
}

fn password_matches(password: &str, hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A name people and decisions can carry: letters, digits, `.`, `-`, `_`, at most 64.
fn check_name(name: &str) -> Result<(), PipelineError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "{name:?} cannot be an account name: use letters, digits, '.', '-' or '_' (at most 64)"
        )))
    }
}

fn view(a: &store::Account) -> Result<AccountView, PipelineError> {
    Ok(AccountView {
        name: a.name.clone(),
        role: a.role.parse()?,
        created: a.created.clone(),
    })
}

fn no_account(name: &str) -> PipelineError {
    PipelineError::NotFound {
        what: "account",
        given: name.to_string(),
        hint: "`ombud user list` shows the accounts",
    }
}

impl Service {
    /// Adds an account with a password (hashed here, never stored as given).
    pub async fn add_account(
        &self,
        name: &str,
        role: Role,
        password: &str,
        now: jiff::Timestamp,
    ) -> Result<AccountView, PipelineError> {
        check_name(name)?;
        let account = store::Account {
            name: name.to_string(),
            role: role.as_str().to_string(),
            password: hash_password(password)?,
            created: rfc3339(now),
        };
        if !self.store().add_account(&account).await? {
            return Err(bad(format!(
                "there is already an account {name:?}: `ombud user reset-password {name}` gives it a new password"
            )));
        }
        view(&account)
    }

    pub async fn accounts(&self) -> Result<Vec<AccountView>, PipelineError> {
        self.store().accounts().await?.iter().map(view).collect()
    }

    /// Removes an account and ends its sessions and tokens. The decisions it made keep its name.
    pub async fn remove_account(&self, name: &str) -> Result<(), PipelineError> {
        if self.store().remove_account(name).await? {
            Ok(())
        } else {
            Err(no_account(name))
        }
    }

    /// Gives an account a new password, a new role, or both; everyone signed in as it is signed
    /// out.
    pub async fn change_account(
        &self,
        name: &str,
        role: Option<Role>,
        password: Option<&str>,
    ) -> Result<AccountView, PipelineError> {
        let mut account = self
            .store()
            .account(name)
            .await?
            .ok_or_else(|| no_account(name))?;
        if let Some(role) = role {
            account.role = role.as_str().to_string();
        }
        if let Some(password) = password {
            account.password = hash_password(password)?;
        }
        if !self.store().update_account(&account).await? {
            return Err(no_account(name));
        }
        view(&account)
    }

    /// Checks a password and opens a session; `None` when the name or password is wrong (the
    /// face must not say which).
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<NewSession>, PipelineError> {
        let account = self.store().account(name).await?;
        let Some(account) = account else {
            // As slow as a wrong password, so a name cannot be told taken by the time it takes.
            let _ = password_matches(password, dummy_hash());
            return Ok(None);
        };
        if !password_matches(password, &account.password) {
            return Ok(None);
        }
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        let expires = now
            .checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS))
            .map_err(|e| bad(format!("cannot set the session's end: {e}")))?;
        self.store()
            .add_credential(&store::Credential {
                token_sha256: sha256_hex(&token),
                account: account.name.clone(),
                kind: CredentialKind::Session.as_str().to_string(),
                csrf: csrf.clone(),
                label: String::new(),
                created: rfc3339(now),
                expires: Some(rfc3339(expires)),
            })
            .await?;
        Ok(Some(NewSession {
            signed_in: SignedIn {
                account: account.name.clone(),
                role: account.role.parse()?,
                csrf: csrf.clone(),
                kind: CredentialKind::Session,
            },
            token,
            csrf,
            expires,
        }))
    }

    /// A new API token for an account, shown once: the store keeps only its hash.
    pub async fn issue_token(
        &self,
        name: &str,
        label: &str,
        now: jiff::Timestamp,
    ) -> Result<String, PipelineError> {
        let account = self
            .store()
            .account(name)
            .await?
            .ok_or_else(|| no_account(name))?;
        let token = format!("ombud_{}", random_hex(32)?);
        self.store()
            .add_credential(&store::Credential {
                token_sha256: sha256_hex(&token),
                account: account.name,
                kind: CredentialKind::Token.as_str().to_string(),
                csrf: String::new(),
                label: label.to_string(),
                created: rfc3339(now),
                expires: None,
            })
            .await?;
        Ok(token)
    }

    /// Who a session cookie or token stands for now (`None`: unknown, ended or expired).
    pub async fn signed_in(
        &self,
        secret: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<SignedIn>, PipelineError> {
        if secret.is_empty() || secret.len() > 128 {
            return Ok(None);
        }
        let Some((c, a)) = self.store().credential(&sha256_hex(secret)).await? else {
            return Ok(None);
        };
        if let Some(expires) = &c.expires
            && expires.as_str() <= rfc3339(now).as_str()
        {
            return Ok(None);
        }
        let kind = match c.kind.as_str() {
            "token" => CredentialKind::Token,
            _ => CredentialKind::Session,
        };
        Ok(Some(SignedIn {
            account: a.name,
            role: a.role.parse()?,
            csrf: c.csrf,
            kind,
        }))
    }

    /// Ends a session or token (and forgets every expired session).
    pub async fn sign_out(&self, secret: &str, now: jiff::Timestamp) -> Result<(), PipelineError> {
        self.store()
            .end_credential(&sha256_hex(secret), &rfc3339(now))
            .await?;
        Ok(())
    }
}

/// The hash of no one's password, checked when a name is unknown (made once, with the same
/// parameters as every account's).
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password_with_salt(b"not anyone's password", b"ombud-no-account")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
