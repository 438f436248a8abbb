//! A desk answer kept in the library: a request's question and final response become a draft
//! `desk_answer` document, which a librarian reviews (removing what is personal) and publishes,
//! so the next local government asking finds it by search.

use super::{DocumentInput, DocumentView, Kind};
use crate::actor::Scope;
use crate::desk::{self, RequestId};
use crate::entities::library_document;
use crate::error::{Error, ErrorCode, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The `source` of the document made from a request: the desk's registration number.
pub fn source_of(request: &desk::Request) -> String {
    format!("desk:{}", request.reg_no.as_deref().unwrap_or(&request.id.0.to_string()))
}

/// The headings of the question and the answer, in the request's language.
fn headings(language: &str) -> (&'static str, &'static str) {
    match language {
        "ko" => ("질문", "답변"),
        "ja" => ("質問", "回答"),
        "zh-Hans" => ("问题", "答复"),
        "zh-Hant" => ("問題", "答覆"),
        _ => ("Question", "Answer"),
    }
}

/// What the requester asked: the description and the category's own question text.
fn question_of(request: &desk::Request) -> String {
    use desk::category::Fields;
    let asked = match &request.fields {
        Fields::Information(f) => f.question.clone(),
        Fields::Inquiry(f) => f.question.clone(),
        Fields::Exchange(f) => f.purpose.clone(),
        Fields::Visit(f) => f.purposes.join("\n"),
        Fields::LanguageService(_) => String::new(),
    };
    [request.description.trim(), asked.trim()].into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// Makes (once) the draft library document of an answered request's question and final
/// response; desk staff only. Asked again, it returns the document already made (and
/// `false`).
pub async fn from_request(scope: &Scope<'_>, id: RequestId) -> Result<(DocumentView, bool)> {
    if !scope.actor.sees_all_organizations() {
        return Err(Error::Forbidden);
    }
    let request = desk::get(scope, id).await?;
    let source = source_of(&request);
    let existing = library_document::Entity::find()
        .filter(library_document::Column::Kind.eq(Kind::DeskAnswer.as_str()))
        .filter(library_document::Column::Source.eq(source.clone()))
        .one(scope.db())
        .await?;
    if let Some(row) = existing {
        return Ok((super::get(scope, super::DocumentId(row.id)).await?, false));
    }
    let messages = desk::messages(scope, id).await?;
    let Some(answer) = messages.iter().rev().find(|m| m.kind == "final_response" && !m.internal) else {
        return Err(Error::Refused(ErrorCode::NotAnswered));
    };
    let (q, a) = headings(&request.language);
    let summary: String = answer.body.chars().take(300).collect();
    let input = DocumentInput {
        kind: Kind::DeskAnswer.as_str().into(),
        language: request.language.clone(),
        status: None,
        title: request.title.clone(),
        summary,
        body: format!("{q}\n\n{}\n\n{a}\n\n{}", question_of(&request), answer.body.trim()),
        source: Some(source),
        country: request.country.clone(),
        year: Some(chrono::Datelike::year(&answer.created_at)),
        ..Default::default()
    };
    Ok((super::create(scope, input).await?, true))
}
