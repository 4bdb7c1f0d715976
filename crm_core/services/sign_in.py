"""OIDC sign-in: the ID token's claims in, the acting user out (or SignInRefused with the reason).

The decision is `crm_core.access.decide_sign_in`; this runs it against the users table and, on a
user's first sign-in, binds them to the token's issuer and subject in one unit of work (with an
event), deciding again inside the write transaction so two first sign-ins cannot both bind."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from crm_core.access import OidcIdentity, decide_sign_in
from crm_core.permissions import Actor
from crm_core.services.users import get_actor
from crm_core.store.engine import Store
from crm_core.store.identities import user_by_email, user_by_identity
from crm_core.store.models import User
from crm_core.store.uow import UnitOfWork


def sign_in_oidc(store: Store, claims: Mapping[str, object], issuers: Collection[str]) -> Actor:
    """The active user these ID-token claims prove, binding them on their first sign-in."""
    identity = OidcIdentity.from_claims(claims)
    with store.read() as session:  # every rerun: one query once bound
        bound = user_by_identity(session, identity.issuer, identity.subject)
        by_email = user_by_email(session, identity.email) if bound is None and identity.email else None
        decision = decide_sign_in(identity, issuers, bound=bound, by_email=by_email)
    if decision.bind:
        with UnitOfWork(store, actor=None) as uow:  # signing in: nobody acts yet
            decision = decide_sign_in(
                identity,
                issuers,
                bound=user_by_identity(uow.session, identity.issuer, identity.subject, lock=True),
                by_email=user_by_email(uow.session, identity.email, lock=True),
            )
            if decision.bind:
                user = uow.get(User, decision.user_id, what="user")
                user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
                uow.record(
                    "user",
                    user.id,
                    "bind_sign_in",
                    user.id,
                    note=f"first sign-in through {identity.issuer} (subject {identity.subject})",
                )
                uow.commit()
    return get_actor(store, decision.user_id)
