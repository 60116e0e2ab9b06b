//! Dynamic SQL for list endpoints: optional filters plus keyset pagination, newest first.
//!
//! Pagination is by `(created_us, id)` of the `starting_after` object, so pages are stable while new
//! rows arrive and cost the same at any depth (no OFFSET).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Executor};

use crate::Result;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// SQL text with `$n` placeholders and their values, built in order.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    pub fn text(&mut self, v: &str) -> &mut Self {
        self.bind(Arg::Text(v.to_owned()))
    }

    pub fn push_int(&mut self, v: i64) -> &mut Self {
        self.bind(Arg::Int(v))
    }

    pub async fn fetch_all<'e, E: Executor<'e, Database = Any>>(
        &self,
        ex: E,
    ) -> Result<Vec<AnyRow>> {
        let mut q = sqlx::query_with::<Any, AnyArguments<'_>>(&self.text, AnyArguments::default());
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        Ok(q.fetch_all(ex).await?)
    }
}

/// Common list filters.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1..=100, checked by the API layer.
    pub limit: i64,
    /// `(created_us, id)` of the `starting_after` object.
    pub after: Option<(i64, String)>,
    pub created_gte_us: Option<i64>,
    pub created_lt_us: Option<i64>,
}

impl Page {
    /// Appends the created filters, the cursor and `ORDER BY … LIMIT limit+1` (the extra row tells
    /// whether there is a next page).
    pub fn finish(&self, sql: &mut Sql) {
        if let Some(gte) = self.created_gte_us {
            sql.push(" AND created_us >= ").push_int(gte);
        }
        if let Some(lt) = self.created_lt_us {
            sql.push(" AND created_us < ").push_int(lt);
        }
        if let Some((c, id)) = &self.after {
            sql.push(" AND (created_us < ").push_int(*c);
            sql.push(" OR (created_us = ").push_int(*c);
            sql.push(" AND id < ").text(id);
            sql.push("))");
        }
        sql.push(" ORDER BY created_us DESC, id DESC LIMIT ")
            .push_int(self.limit + 1);
    }
}

/// Splits the `limit+1` rows into the page and `has_more`.
pub fn paged<T>(mut items: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let has_more = items.len() > limit;
    items.truncate(limit);
    (items, has_more)
}
