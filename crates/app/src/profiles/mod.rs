//! Profiles (C1): my profile and its editing, other members' profiles through the visibility
//! each member chose, blocking, and the city gazetteer's search-as-you-type.

pub mod api;
pub mod edit;
pub mod pages;
pub mod view;
pub mod welcome;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Routes of this capability.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profile", get(pages::own))
        .route("/profile/edit", get(pages::edit_page).post(pages::save))
        .route("/welcome", get(welcome::page_get).post(welcome::page_post))
        .route("/welcome/next", get(welcome::next))
        .route("/members/{id}", get(pages::member))
        .route("/members/{id}/block", post(pages::block))
        .route("/members/{id}/unblock", post(pages::unblock))
        .route("/cities", get(pages::city_options))
        .route("/api/v1/me", get(api::get_me).patch(api::patch_me).delete(api::delete_me))
        .route("/api/v1/members/{id}", get(api::get_member))
        .route("/api/v1/members/{id}/block", post(api::block).delete(api::unblock))
        .route("/api/v1/cities", get(api::cities))
}

/// `me` blocks `other`: neither sees nor reaches the other from now on, and a room either of
/// them has open is checked again (a host's block closes the blocked member's room).
pub async fn block(
    state: &AppState,
    me: &store::users::User,
    other: &str,
) -> Result<(), crate::error::AppError> {
    state.db.block(&me.id, other, crate::web::now_ms()).await?;
    for id in [me.id.as_str(), other] {
        crate::rooms::revoke::changed(state, store::access_changes::Scope::User, id).await;
    }
    Ok(())
}
