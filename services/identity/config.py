"""Identity settings (env prefix IDENTITY_). Defaults are safe for production use; the
per-address limits are generous because offices and carrier NATs share one address."""

from shared.config import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("IDENTITY_")
    service_name: str = "identity"

    # Lifetimes. Access tokens are not revocable one by one: a revoked session's access token
    # keeps working at other services until it expires, so keep this short.
    access_token_ttl_seconds: int = 600
    refresh_token_ttl_hours: int = 24 * 14
    verification_ttl_hours: int = 24
    reset_ttl_minutes: int = 60
    # A rotated-out signing key stays in the JWKS this long after rotation, so tokens it
    # signed (and caches of the key set at other services) outlive it.
    key_retire_after_seconds: int = 3600

    # Password guessing (sign-in and the current password of /me/password, /me/email). One
    # address guessing one account, and one address guessing many, are locked (429); failures
    # from everywhere together only slow each check down, so nobody can lock the owner out.
    login_max_failures: int = 5  # per (account, address) before a lock
    login_lock_minutes: int = 15  # the first lock; each next one in a streak doubles
    login_max_lock_minutes: int = 24 * 60
    login_failure_window_minutes: int = 15  # a quiet spell this long starts a new count
    address_max_failures: int = 50
    # Account-wide: after this many failures each check waits base * 2^(failures - this), capped;
    # the owner is mailed a one-time link that clears the counters.
    account_backoff_after_failures: int = 5
    account_backoff_base_ms: int = 500
    account_backoff_max_ms: int = 5000
    unlock_ttl_hours: int = 24
    unlock_mails_per_account_per_hour: int = 1
    # After the link is opened, its address may sign in to the account past an address lock.
    unlocked_address_minutes: int = 60

    # Two-step sign-in: how long the password step's challenge waits for the code, and the
    # roles that must use it (e.g. ["support", "security", "admin"]): such an account without
    # an authenticator is sent to enrolment right after its password.
    two_step_challenge_seconds: int = 300
    two_step_required_roles: tuple[str, ...] = ()

    # Sliding-window limits (per hour). Per-account limits are silent (the answer stays 202 so
    # nobody learns whether an account exists); per-address limits answer 429.
    resend_per_account_per_hour: int = 3
    resend_per_address_per_hour: int = 30
    forgot_per_account_per_hour: int = 3
    forgot_per_address_per_hour: int = 30
    exists_notice_per_account_per_hour: int = 3
    register_per_address_per_hour: int = 300

    # Organizations: an invitation link lives this long; one organization's administrators
    # together send at most this many invitations an hour (429 beyond).
    invitation_ttl_hours: int = 72
    invitations_per_organization_per_hour: int = 30

    # argon2id cost (RFC 9106 "second recommended" profile, argon2-cffi's default):
    # 64 MiB memory, 3 passes, 4 lanes ≈ 40-80 ms per hash on one current core. Changing any
    # of these makes the next successful login rehash the stored password.
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    argon2_parallelism: int = 4
    # Each hash holds argon2_memory_cost_kib while it runs, so hashes at once are bounded by the
    # memory set aside for them: the pod's limit (deploy/k8s, 768 MiB) less what the process
    # itself peaks at (~250 MiB) and headroom leaves 256 MiB, i.e. 4 hashes of 64 MiB. More
    # sign-ins than that wait their turn. A positive argon2_max_concurrent_hashes overrides it.
    argon2_memory_budget_mib: int = 256
    argon2_max_concurrent_hashes: int = 0

    refresh_cookie_name: str = "refresh_token"
    refresh_cookie_path: str = "/api/identity/auth"
