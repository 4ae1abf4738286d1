//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the JSON body
//! extractor whose errors have the API's one error shape.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::Json;
use domain::FieldErrors;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::AppError;

/// A JSON body; malformed JSON gets a 4xx with `{"errors":[…]}` like every other error.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            _ => AppError::Invalid(FieldErrors::one("body", e.body_text())),
        })?;
        // No database text column can hold NUL; refuse it here rather than fail in SQL.
        if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(AppError::Invalid(FieldErrors::one(
                "body",
                "Text may not contain the NUL character.",
            )));
        }
        // Every body is a JSON object; serde would also read a struct from an array.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(AppError::Invalid(FieldErrors::one("body", "Send a JSON object.")));
        }
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(v)) => Ok(ApiJson(v)),
            // JSON Schema counts 5.0 as an integer, serde does not: read such numbers again as
            // integers before refusing, and refuse with the first error if that does not help.
            Err(first) => serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|mut v| integral(&mut v).then_some(v))
                .and_then(|v| serde_json::from_value::<T>(v).ok())
                .map(ApiJson)
                .ok_or_else(|| AppError::from(first)),
        }
    }
}

/// Rewrites every number with no fractional part (within the range of `i64`) as an integer;
/// whether any was.
fn integral(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                *v = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |any, x| integral(x) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, x| integral(x) | any),
        _ => false,
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        AppError::Invalid(FieldErrors::one("body", r.body_text()))
    }
}

/// Query parameters; a malformed one gets a 4xx in the API's error shape.
#[derive(Debug, FromRequestParts)]
#[from_request(via(Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::Invalid(FieldErrors::one("query", r.body_text()))
    }
}

/// One problem with the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorItem {
    /// The input field at fault, or null for the request as a whole.
    pub field: Option<String>,
    /// What is wrong, in words for people.
    pub detail: String,
}

/// Every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

/// Names every operation after its method and path (`get_events_id_occurrences`): handlers in
/// different capabilities share names such as `list` and `get`, and client generators need each
/// operation's id to be unique.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        for (path, item) in api.paths.paths.iter_mut() {
            let name: Vec<String> = path
                .trim_start_matches("/api/v1")
                .split(['/', '.', '-'])
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_matches(|c| c == '{' || c == '}').to_owned())
                .collect();
            let name = name.join("_");
            let has_path_params = path.contains('{');
            for (method, op) in [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ] {
                if let Some(op) = op {
                    op.operation_id = Some(format!("{method}_{name}"));
                    document_common_errors(op, has_path_params);
                }
            }
        }
    }
}

/// Lists the errors any operation of its kind may answer, where its annotation left them out:
/// 401 when it needs a token, 404 when its path names something, 422 when it reads input, 413
/// when it takes a body. Each comes with the one error shape.
fn document_common_errors(op: &mut utoipa::openapi::path::Operation, has_path_params: bool) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_input =
        has_path_params || op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    for (status, applies, description) in [
        ("401", secured, "A valid API token is needed."),
        ("404", has_path_params, "Nothing at this address, or not for your eyes."),
        ("413", op.request_body.is_some(), "The body is larger than this operation takes."),
        ("422", has_input, "Some input needs another look; each problem names its field."),
    ] {
        if applies && !op.responses.responses.contains_key(status) {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            let response =
                ResponseBuilder::new().description(description).content("application/json", body).build();
            op.responses.responses.insert(status.to_owned(), response.into());
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token from POST /api/v1/tokens or the settings page."))
                    .build(),
            ),
        );
    }
}

/// The API document served at `/api/openapi.json`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Alongside API", description = "Find coworking and accountability partners, meet them, keep each other going."),
    paths(
        crate::accounts::api::create_account,
        crate::accounts::api::create_token,
        crate::accounts::api::list_tokens,
        crate::accounts::api::revoke_token,
        crate::accounts::api::export,
        crate::accounts::api::reminders,
        crate::accounts::security::put_password,
        crate::accounts::security::list_sessions,
        crate::accounts::security::delete_sessions,
        crate::accounts::security::delete_session,
        crate::accounts::verify::put_email,
        crate::accounts::verify::resend_api,
        crate::profiles::api::get_me,
        crate::profiles::api::patch_me,
        crate::profiles::api::delete_me,
        crate::photos::pages::api_put_own,
        crate::photos::pages::api_delete_own,
        crate::photos::pages::api_delete_as_admin,
        crate::photos::pages::api_put_cover,
        crate::photos::pages::api_delete_cover,
        crate::profiles::api::get_member,
        crate::profiles::api::block,
        crate::profiles::api::unblock,
        crate::profiles::api::cities,
        crate::members::list_members,
        crate::events::api::create,
        crate::events::api::list,
        crate::events::api::get,
        crate::events::api::patch,
        crate::events::api::delete,
        crate::events::api::occurrences,
        crate::events::api::patch_occurrence,
        crate::events::one_date::message_api,
        crate::events::door::list_api,
        crate::events::door::add_api,
        crate::events::door::remove_api,
        crate::events::whole_series::api,
        crate::events::api::split,
        crate::events::api::end,
        crate::events::api::rsvp,
        crate::events::api::goal,
        crate::events::api::attendance,
        crate::events::import::api,
        crate::events::group_import::api,
        crate::events::feeds::my_calendar,
        crate::events::feeds::create_feed_api,
        crate::events::feeds::revoke_feed_api,
        crate::polls::api::create,
        crate::polls::api::get,
        crate::polls::api::vote,
        crate::polls::api::close,
        crate::partners::api::suggestions,
        crate::partners::api::partnerships,
        crate::partners::api::request,
        crate::partners::api::act,
        crate::partners::api::favourites,
        crate::partners::api::add_favourite,
        crate::partners::api::remove_favourite,
        crate::partners::api::set_bookable_by,
        crate::partners::bookings::create_api,
        crate::partners::bookings::list_api,
        crate::partners::focus::leave_api,
        crate::partners::bookings::cancel_api,
        crate::groups::api::list,
        crate::groups::api::create,
        crate::groups::api::get,
        crate::groups::api::patch,
        crate::groups::api::delete,
        crate::groups::members_api::join_api,
        crate::groups::members_api::leave_api,
        crate::groups::members_api::follow_api,
        crate::groups::members_api::unfollow_api,
        crate::groups::members_api::members_api,
        crate::groups::members_api::role_api,
        crate::groups::members_api::remove_api,
        crate::groups::members_api::handover_api,
        crate::groups::members_api::requests_api,
        crate::groups::members_api::answer_api,
        crate::groups::invites::list_api,
        crate::groups::invites::create_api,
        crate::groups::invites::revoke_api,
        crate::groups::invites::preview_api,
        crate::groups::invites::accept_api,
        crate::groups::roster::list_api,
        crate::groups::roster::post_api,
        crate::groups::console::api,
        crate::groups::classifications::list_api,
        crate::groups::classifications::save_api,
        crate::groups::classifications::take_api,
        crate::groups::classifications::give_up_api,
        crate::groups::classifications::ask_api,
        crate::groups::announcements::create_api,
        crate::groups::announcements::list_api,
        crate::groups::calendar::events_api,
        crate::groups::calendar::ics_api,
        crate::groups::posts_api::list,
        crate::groups::posts_api::create,
        crate::groups::posts_api::get,
        crate::groups::posts_api::patch,
        crate::groups::posts_api::delete,
        crate::groups::posts_api::reply,
        crate::groups::posts_api::patch_reply,
        crate::groups::posts_api::delete_reply,
        crate::groups::posts_api::helped,
        crate::groups::posts_api::unhelped,
        crate::groups::posts_api::moderate,
        crate::groups::posts_api::report,
        crate::groups::posts_api::reports,
        crate::groups::posts_api::resolve,
        crate::groups::discover::api,
        crate::goals::api::list,
        crate::goals::api::create,
        crate::goals::api::get,
        crate::goals::api::patch,
        crate::goals::api::delete,
        crate::goals::api::add_task,
        crate::goals::api::set_task,
        crate::goals::api::checkin,
        crate::goals::api::comment,
        crate::goals::api::cheer,
        crate::goals::api::uncheer,
        crate::goals::api::stats,
        crate::goals::api::accountability,
        crate::goals::board_api::get,
        crate::goals::board_api::put,
        crate::goals::board_api::history,
        crate::venues::api::list,
        crate::venues::api::create,
        crate::venues::api::get,
        crate::venues::api::patch,
        crate::venues::api::review,
        crate::venues::api::merge,
        crate::venues::near_home::mark_api,
        crate::venues::near_home::unmark_api,
        crate::venues::near_home::list_api,
        crate::venues::suggest::api,
        crate::referrals::api::list,
        crate::referrals::api::give,
        crate::referrals::api::get,
        crate::referrals::api::status,
        crate::referrals::api::thanks,
        crate::referrals::api::one_to_ones,
        crate::referrals::api::log_one_to_one,
        crate::referrals::report::api,
        crate::referrals::help::list_api,
        crate::referrals::help::post_api,
        crate::referrals::help::close_api,
        crate::referrals::help_replies::answer_api,
        crate::referrals::help::given_api,
        crate::referrals::help::record_api,
        crate::referrals::help::confirm_api,
        crate::contacts::api::list,
        crate::contacts::api::create,
        crate::contacts::api::get,
        crate::contacts::api::patch,
        crate::contacts::api::delete,
        crate::contacts::api::touch,
        crate::contacts::api::from_event,
        crate::contacts::api::export,
        crate::contacts::api::import,
        crate::notifications::api::list,
        crate::notifications::api::read,
        crate::notifications::prefs::get_api,
        crate::notifications::prefs::put_api,
        crate::admin::members::list_api,
        crate::admin::members::suspend_api,
        crate::admin::members::lift_api,
        crate::admin::members::delete_api,
        crate::admin::groups::groups_api,
        crate::admin::groups::reports_api,
        crate::admin::settings::get_api,
        crate::admin::settings::put_api,
        crate::admin::audit::list_api,
        crate::admin::outbox::outbox_api,
        crate::admin::outbox::retry_api,
    ),
    modifiers(&BearerAuth, &OperationIds),
    tags((name = "accounts"), (name = "profile"), (name = "members"), (name = "events"), (name = "polls"), (name = "partners"), (name = "groups"), (name = "discussion"), (name = "goals"), (name = "venues"), (name = "referrals"), (name = "contacts"), (name = "notifications"), (name = "admin"))
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
