"""Every problem identity answers (besides the kernel's generic ones), in four languages."""

from shared.http.problems import ProblemType


def _t(en: str, zh_tw: str, zh_cn: str, ja: str) -> dict[str, str]:
    return {"en": en, "zh-TW": zh_tw, "zh-CN": zh_cn, "ja": ja}


INVALID_CREDENTIALS = ProblemType(
    "invalid-credentials",
    401,
    _t(
        "The email or password is incorrect",
        "電子郵件或密碼不正確",
        "电子邮件或密码不正确",
        "メールアドレスまたはパスワードが正しくありません",
    ),
)
EMAIL_NOT_VERIFIED = ProblemType(
    "email-not-verified",
    403,
    _t(
        "Please verify your email address first",
        "請先驗證您的電子郵件地址",
        "请先验证您的电子邮件地址",
        "先にメールアドレスの確認を完了してください",
    ),
)
ACCOUNT_DISABLED = ProblemType(
    "account-disabled",
    403,
    _t(
        "This account is disabled",
        "此帳號已停用",
        "此帐号已停用",
        "このアカウントは無効になっています",
    ),
)
LOCKED = ProblemType(
    "locked",
    429,
    _t(
        "Too many failed sign-ins; sign-in is locked for a while",
        "登入失敗次數過多，暫時鎖定登入",
        "登录失败次数过多，暂时锁定登录",
        "サインインの失敗が多すぎるため、一時的にロックされています",
    ),
)
VERIFICATION_EXPIRED = ProblemType(
    "verification-expired",
    410,
    _t(
        "This verification link has expired",
        "此驗證連結已過期",
        "此验证链接已过期",
        "この確認リンクは有効期限が切れています",
    ),
)
VERIFICATION_INVALID = ProblemType(
    "verification-invalid",
    400,
    _t(
        "This verification link is not valid",
        "此驗證連結無效",
        "此验证链接无效",
        "この確認リンクは無効です",
    ),
)
RESET_EXPIRED = ProblemType(
    "reset-expired",
    410,
    _t(
        "This password reset link has expired",
        "此密碼重設連結已過期",
        "此密码重置链接已过期",
        "このパスワード再設定リンクは有効期限が切れています",
    ),
)
RESET_INVALID = ProblemType(
    "reset-invalid",
    400,
    _t(
        "This password reset link is not valid",
        "此密碼重設連結無效",
        "此密码重置链接无效",
        "このパスワード再設定リンクは無効です",
    ),
)
INVALID_REFRESH_TOKEN = ProblemType(
    "invalid-refresh-token",
    401,
    _t(
        "Your session has ended; please sign in again",
        "您的登入工作階段已結束，請重新登入",
        "您的登录会话已结束，请重新登录",
        "セッションが終了しました。もう一度サインインしてください",
    ),
)
CURRENT_PASSWORD_WRONG = ProblemType(
    "current-password-wrong",
    403,
    _t(
        "The current password is incorrect",
        "目前的密碼不正確",
        "当前密码不正确",
        "現在のパスワードが正しくありません",
    ),
)
EMAIL_TAKEN = ProblemType(
    "email-taken",
    409,
    _t(
        "This email address is already used by another account",
        "此電子郵件地址已被其他帳號使用",
        "此电子邮件地址已被其他帐号使用",
        "このメールアドレスは別のアカウントで使用されています",
    ),
)
TWO_STEP_CODE_WRONG = ProblemType(
    "two-step-code-wrong",
    403,
    _t(
        "The code is incorrect or was already used",
        "驗證碼不正確或已使用過",
        "验证码不正确或已使用过",
        "コードが正しくないか、すでに使用されています",
    ),
)
TWO_STEP_CODE_REQUIRED = ProblemType(
    "two-step-code-required",
    403,
    _t(
        "A two-step sign-in code is required",
        "需要兩步驟登入驗證碼",
        "需要两步登录验证码",
        "2 段階サインインのコードが必要です",
    ),
)
TWO_STEP_CHALLENGE_INVALID = ProblemType(
    "two-step-challenge-invalid",
    401,
    _t(
        "The sign-in step expired or is not valid",
        "此登入步驟已逾時或無效",
        "此登录步骤已超时或无效",
        "このサインイン手順は期限切れか無効です",
    ),
)
OWN_ROLES = ProblemType(
    "own-admin-role",
    409,
    _t(
        "You cannot remove your own administrator role or disable yourself",
        "您不能移除自己的管理員角色或停用自己的帳號",
        "您不能移除自己的管理员角色或停用自己的帐号",
        "自分の管理者ロールの削除や自分のアカウントの無効化はできません",
    ),
)
LAST_ADMIN = ProblemType(
    "last-admin",
    409,
    _t(
        "This is the last active administrator",
        "這是最後一位啟用中的管理員",
        "这是最后一位启用中的管理员",
        "これは最後の有効な管理者です",
    ),
)
UNLOCK_INVALID = ProblemType(
    "unlock-invalid",
    400,
    _t(
        "This unlock link is not valid",
        "此解除鎖定連結無效",
        "此解除锁定链接无效",
        "このロック解除リンクは無効です",
    ),
)
UNLOCK_EXPIRED = ProblemType(
    "unlock-expired",
    410,
    _t(
        "This unlock link has expired",
        "此解除鎖定連結已過期",
        "此解除锁定链接已过期",
        "このロック解除リンクは有効期限が切れています",
    ),
)

# --- organizations ----------------------------------------------------------------------------

ALREADY_IN_ORGANIZATION = ProblemType(
    "already-in-organization",
    409,
    _t(
        "This account already belongs to an organization",
        "此帳號已屬於一個組織",
        "此帐号已属于一个组织",
        "このアカウントはすでに組織に所属しています",
    ),
)
LAST_ADMIN = ProblemType(
    "last-organization-admin",
    409,
    _t(
        "An organization needs at least one administrator",
        "組織至少需要一位管理員",
        "组织至少需要一位管理员",
        "組織には少なくとも 1 人の管理者が必要です",
    ),
)
ORGANIZATION_NOT_EMPTY = ProblemType(
    "organization-not-empty",
    409,
    _t(
        "The organization still has other members",
        "組織仍有其他成員",
        "组织仍有其他成员",
        "組織にはまだ他のメンバーがいます",
    ),
)
NOT_ORGANIZATION_ADMIN = ProblemType(
    "not-organization-admin",
    403,
    _t(
        "Only the organization's administrators may do this",
        "只有組織管理員可以執行此操作",
        "只有组织管理员可以执行此操作",
        "この操作は組織の管理者のみ行えます",
    ),
)
INVITATION_INVALID = ProblemType(
    "invitation-invalid",
    400,
    _t(
        "This invitation is not valid",
        "此邀請無效",
        "此邀请无效",
        "この招待は無効です",
    ),
)
INVITATION_EXPIRED = ProblemType(
    "invitation-expired",
    410,
    _t(
        "This invitation has expired",
        "此邀請已過期",
        "此邀请已过期",
        "この招待は有効期限が切れています",
    ),
)
INVITATION_FOR_OTHER_ADDRESS = ProblemType(
    "invitation-for-other-address",
    403,
    _t(
        "This invitation was sent to another email address",
        "此邀請是寄給其他電子郵件地址的",
        "此邀请是发送给其他电子邮件地址的",
        "この招待は別のメールアドレス宛てに送信されています",
    ),
)
ALREADY_MEMBER = ProblemType(
    "already-organization-member",
    409,
    _t(
        "This person is already a member of the organization",
        "此人已是組織成員",
        "此人已是组织成员",
        "この方はすでに組織のメンバーです",
    ),
)
