"""Every problem detail identity answers, in the four languages: what went wrong and what to do
next. Ids are `identity.<name>`; clients may key on them (`detail_id`)."""

from shared.messages import Text

# --- registration, verification, one-time links -----------------------------------------------

EMAIL_TAKEN_NOW = Text(
    "identity.email-taken-now",
    en="Another account uses this address now; choose a different one.",
    zh_tw="此電子郵件地址目前已由其他帳號使用，請改用其他地址。",
    zh_cn="此电子邮件地址目前已被其他账号使用，请改用其他地址。",
    ja="このメールアドレスは現在ほかのアカウントで使われています。別のアドレスを指定してください。",
)
VERIFICATION_LINK_USED = Text(
    "identity.verification-link-used",
    en="This link was already used or replaced; request a new verification link.",
    zh_tw="此連結已使用過或已被新的連結取代，請重新申請驗證連結。",
    zh_cn="此链接已使用过或已被新的链接取代，请重新申请验证链接。",
    ja="このリンクは使用済みか、新しいリンクに置き換えられています。確認リンクを再度お申し込みください。",
)
VERIFICATION_LINK_EXPIRED = Text(
    "identity.verification-link-expired",
    en="The link expired; request a new verification link.",
    zh_tw="此連結已過期，請重新申請驗證連結。",
    zh_cn="此链接已过期，请重新申请验证链接。",
    ja="リンクの有効期限が切れています。確認リンクを再度お申し込みください。",
)
RESET_LINK_USED = Text(
    "identity.reset-link-used",
    en="This link was already used or replaced; request a new password reset link.",
    zh_tw="此連結已使用過或已被新的連結取代，請重新申請密碼重設連結。",
    zh_cn="此链接已使用过或已被新的链接取代，请重新申请密码重置链接。",
    ja="このリンクは使用済みか、新しいリンクに置き換えられています。パスワード再設定リンクを再度お申し込みください。",
)
RESET_LINK_EXPIRED = Text(
    "identity.reset-link-expired",
    en="The link expired; request a new password reset link.",
    zh_tw="此連結已過期，請重新申請密碼重設連結。",
    zh_cn="此链接已过期，请重新申请密码重置链接。",
    ja="リンクの有効期限が切れています。パスワード再設定リンクを再度お申し込みください。",
)
UNLOCK_LINK_USED = Text(
    "identity.unlock-link-used",
    en="This link was already used or replaced; sign in, or use the newest unlock link we mailed.",
    zh_tw="此連結已使用過或已被新的連結取代，請直接登入，或使用我們最新寄出的解除鎖定連結。",
    zh_cn="此链接已使用过或已被新的链接取代，请直接登录，或使用我们最新发送的解除锁定链接。",
    ja="このリンクは使用済みか、新しいリンクに置き換えられています。サインインするか、最新のロック解除リンクをご利用ください。",
)
UNLOCK_LINK_EXPIRED = Text(
    "identity.unlock-link-expired",
    en="The link expired; wait for the lock to end, or reset your password with 'Forgot your password?'.",
    zh_tw="此連結已過期，請等待鎖定解除，或透過「忘記密碼？」重設密碼。",
    zh_cn="此链接已过期，请等待锁定解除，或通过“忘记密码？”重置密码。",
    ja="リンクの有効期限が切れています。ロックが解除されるまでお待ちいただくか、「パスワードをお忘れですか？」から再設定してください。",
)
CHOOSE_OTHER_PASSWORD = Text(
    "identity.choose-other-password",
    en="Choose a different password; the field error says what this one lacks.",
    zh_tw="請改用其他密碼，欄位錯誤訊息會說明此密碼的不足之處。",
    zh_cn="请改用其他密码，字段错误信息会说明此密码的不足之处。",
    ja="別のパスワードを指定してください。不足している点は項目のエラーに表示されています。",
)
TOO_MANY_FROM_NETWORK = Text(
    "identity.too-many-from-network",
    en="Too many requests from your network; try again in {minutes} minutes.",
    zh_tw="來自您網路的請求過多，請於 {minutes} 分鐘後再試。",
    zh_cn="来自您网络的请求过多，请在 {minutes} 分钟后重试。",
    ja="お使いのネットワークからのリクエストが多すぎます。{minutes} 分後にもう一度お試しください。",
)

# --- sign-in and sessions -------------------------------------------------------------------

CHECK_CREDENTIALS = Text(
    "identity.check-credentials",
    en="Check the email address and password, or reset your password.",
    zh_tw="請確認電子郵件地址與密碼，或重設密碼。",
    zh_cn="请确认电子邮件地址和密码，或重置密码。",
    ja="メールアドレスとパスワードをご確認いただくか、パスワードを再設定してください。",
)
ASK_TO_ENABLE = Text(
    "identity.ask-to-enable",
    en="Contact support or your sales representative to enable it.",
    zh_tw="如需重新啟用，請聯絡客服或您的業務代表。",
    zh_cn="如需重新启用，请联系客服或您的销售代表。",
    ja="再度有効にするには、サポートまたは担当営業にお問い合わせください。",
)
VERIFY_FIRST = Text(
    "identity.verify-first",
    en="Open the link in the verification mail we sent you. No mail? You can resend it from the "
    "sign-in page, or ask your sales representative to verify your account.",
    zh_tw="請開啟我們寄給您的驗證郵件中的連結。沒有收到郵件？您可以在登入頁面重新寄送，或請業務代表為您驗證帳號。",
    zh_cn="请打开我们发送给您的验证邮件中的链接。没有收到邮件？您可以在登录页面重新发送，或请销售代表为您验证账号。",
    ja="お送りした確認メールのリンクを開いてください。メールが届いていない場合は、サインイン画面から再送するか、担当営業にアカウントの確認を依頼してください。",
)
SIGN_IN_LOCKED = Text(
    "identity.sign-in-locked",
    en="Too many wrong passwords from your network: try again in about {minutes} minutes, reset your "
    "password with 'Forgot your password?', or open the unlock link we mailed to the account's owner.",
    zh_tw="您的網路輸入錯誤密碼的次數過多：請於約 {minutes} 分鐘後再試、透過「忘記密碼？」重設密碼，"
    "或開啟我們寄給帳號擁有者的解除鎖定連結。",
    zh_cn="您的网络输入错误密码的次数过多：请在约 {minutes} 分钟后重试、通过“忘记密码？”重置密码，"
    "或打开我们发送给账号所有者的解除锁定链接。",
    ja="お使いのネットワークからのパスワード誤りが多すぎます。約 {minutes} 分後にもう一度お試しいただくか、"
    "「パスワードをお忘れですか？」から再設定するか、アカウントの所有者にお送りしたロック解除リンクを開いてください。",
)
SIGN_IN_AGAIN = Text(
    "identity.sign-in-again",
    en="Sign in again.",
    zh_tw="請重新登入。",
    zh_cn="请重新登录。",
    ja="もう一度サインインしてください。",
)
SEND_REFRESH_TOKEN = Text(
    "identity.send-refresh-token",
    en="Send the refresh token (JSON body or cookie), or sign in again.",
    zh_tw="請送出更新權杖（JSON 內容或 Cookie），或重新登入。",
    zh_cn="请发送刷新令牌（JSON 内容或 Cookie），或重新登录。",
    ja="リフレッシュトークンを送信してください（JSON 本文または Cookie）。または、もう一度サインインしてください。",
)
REFRESH_TOKEN_REUSED = Text(
    "identity.refresh-token-reused",
    en="This refresh token was already used, so the session was ended for safety; sign in again.",
    zh_tw="此更新權杖已使用過，為了安全已結束此登入工作階段，請重新登入。",
    zh_cn="此刷新令牌已使用过，为了安全已结束此登录会话，请重新登录。",
    ja="このリフレッシュトークンは使用済みのため、安全のためセッションを終了しました。もう一度サインインしてください。",
)

# --- the signed-in user -----------------------------------------------------------------------

ACCOUNT_INACTIVE = Text(
    "identity.account-inactive",
    en="This account is not active; sign in again.",
    zh_tw="此帳號目前無法使用，請重新登入。",
    zh_cn="此账号目前无法使用，请重新登录。",
    ja="このアカウントは現在有効ではありません。もう一度サインインしてください。",
)
SESSION_ENDED = Text(
    "identity.session-ended",
    en="This session was ended; sign in again.",
    zh_tw="此登入工作階段已結束，請重新登入。",
    zh_cn="此登录会话已结束，请重新登录。",
    ja="このセッションは終了しています。もう一度サインインしてください。",
)
CONFIRM_CURRENT_PASSWORD = Text(
    "identity.confirm-current-password",
    en="Enter your current password to confirm.",
    zh_tw="請輸入目前的密碼以確認。",
    zh_cn="请输入当前密码以确认。",
    ja="確認のため、現在のパスワードを入力してください。",
)

NO_SUCH_SESSION = Text(
    "identity.no-such-session",
    en="You have no active session with this id; reload the list of your sessions.",
    zh_tw="您沒有此 ID 的有效登入工作階段，請重新載入工作階段清單。",
    zh_cn="您没有此 ID 的有效登录会话，请重新加载会话列表。",
    ja="この ID の有効なセッションはありません。セッション一覧を再読み込みしてください。",
)

ENTER_CURRENT_CODE = Text(
    "identity.enter-current-code",
    en="Enter the 6-digit code your authenticator app shows now, or one of your unused recovery codes.",
    zh_tw="請輸入驗證器應用程式目前顯示的 6 位數驗證碼，或一組尚未使用的復原碼。",
    zh_cn="请输入身份验证器应用当前显示的 6 位验证码，或一个尚未使用的恢复码。",
    ja="認証アプリに現在表示されている 6 桁のコード、または未使用のリカバリーコードを入力してください。",
)
TWO_STEP_ALREADY_ON = Text(
    "identity.two-step-already-on",
    en="Two-step sign-in is already on; turn it off first to set up another authenticator app.",
    zh_tw="兩步驟登入已啟用；如要改用其他驗證器應用程式，請先停用。",
    zh_cn="两步登录已启用；如要改用其他身份验证器应用，请先停用。",
    ja="2 段階サインインはすでに有効です。別の認証アプリを設定するには、先に無効にしてください。",
)
TWO_STEP_NOT_STARTED = Text(
    "identity.two-step-not-started",
    en="Start setting up two-step sign-in first, then confirm it with a code.",
    zh_tw="請先開始設定兩步驟登入，再以驗證碼確認。",
    zh_cn="请先开始设置两步登录，再用验证码确认。",
    ja="先に 2 段階サインインの設定を開始してから、コードで確認してください。",
)
TWO_STEP_NOT_ON = Text(
    "identity.two-step-not-on",
    en="Two-step sign-in is not on for this account; set it up from your account page.",
    zh_tw="此帳號尚未啟用兩步驟登入，請在帳號頁面設定。",
    zh_cn="此账号尚未启用两步登录，请在账号页面设置。",
    ja="このアカウントでは 2 段階サインインが有効になっていません。アカウントページから設定してください。",
)

# --- staff ------------------------------------------------------------------------------------

NO_SUCH_USER = Text(
    "identity.no-such-user",
    en="No user has this id; search users by email or name.",
    zh_tw="沒有使用者使用此 ID，請以電子郵件或姓名搜尋使用者。",
    zh_cn="没有用户使用此 ID，请按电子邮件或姓名搜索用户。",
    ja="この ID のユーザーはいません。メールアドレスまたは氏名でユーザーを検索してください。",
)
ASK_ANOTHER_ADMIN_TO_DISABLE = Text(
    "identity.ask-another-admin-to-disable",
    en="Ask another administrator to disable your account.",
    zh_tw="請由其他管理員停用您的帳號。",
    zh_cn="请由其他管理员停用您的账号。",
    ja="ご自身のアカウントの無効化は、別の管理者に依頼してください。",
)
ASK_ANOTHER_ADMIN_FOR_ROLE = Text(
    "identity.ask-another-admin-for-role",
    en="Ask another administrator to remove your admin role.",
    zh_tw="請由其他管理員移除您的管理員角色。",
    zh_cn="请由其他管理员移除您的管理员角色。",
    ja="ご自身の管理者ロールの削除は、別の管理者に依頼してください。",
)
LAST_ADMIN_STAYS = Text(
    "identity.last-admin-stays",
    en="The portal needs at least one active administrator; give another account the admin role first.",
    zh_tw="入口網站至少需要一位啟用中的管理員，請先將管理員角色授予其他帳號。",
    zh_cn="门户网站至少需要一位启用中的管理员，请先将管理员角色授予其他账号。",
    ja="ポータルには有効な管理者が少なくとも 1 人必要です。先に別のアカウントに管理者ロールを付与してください。",
)

# --- organizations ----------------------------------------------------------------------------

LEAVE_ORGANIZATION_FIRST = Text(
    "identity.leave-organization-first",
    en="An account belongs to one organization at most; leave your current organization first.",
    zh_tw="一個帳號最多只能屬於一個組織，請先退出目前的組織。",
    zh_cn="一个账号最多只能属于一个组织，请先退出当前的组织。",
    ja="アカウントが所属できる組織は 1 つだけです。先に現在の組織から脱退してください。",
)
NO_ORGANIZATION_OF_YOURS = Text(
    "identity.no-organization-of-yours",
    en="You do not belong to this organization; check the link, or ask its administrator to invite you.",
    zh_tw="您不屬於此組織，請確認連結，或請該組織的管理員邀請您。",
    zh_cn="您不属于此组织，请确认链接，或请该组织的管理员邀请您。",
    ja="この組織には所属していません。リンクをご確認いただくか、組織の管理者に招待を依頼してください。",
)
NO_SUCH_MEMBER = Text(
    "identity.no-such-member",
    en="This person is not a member of your organization; reload the member list.",
    zh_tw="此人不是您組織的成員，請重新載入成員清單。",
    zh_cn="此人不是您组织的成员，请重新加载成员列表。",
    ja="この方は組織のメンバーではありません。メンバー一覧を再読み込みしてください。",
)
NO_SUCH_INVITATION = Text(
    "identity.no-such-invitation",
    en="There is no pending invitation with this id in your organization; reload the invitation list.",
    zh_tw="您的組織中沒有此待處理的邀請，請重新載入邀請清單。",
    zh_cn="您的组织中没有此待处理的邀请，请重新加载邀请列表。",
    ja="組織内にこの保留中の招待はありません。招待一覧を再読み込みしてください。",
)
ASK_AN_ADMIN = Text(
    "identity.ask-an-organization-admin",
    en="Ask one of your organization's administrators to do this for you.",
    zh_tw="請洽您組織的管理員代為處理。",
    zh_cn="请联系您组织的管理员代为处理。",
    ja="組織の管理者に依頼してください。",
)
PROMOTE_ANOTHER_ADMIN = Text(
    "identity.promote-another-admin",
    en="Make another member an administrator first; the last administrator cannot leave or step down.",
    zh_tw="請先將其他成員設為管理員；最後一位管理員不能退出或取消管理員身分。",
    zh_cn="请先将其他成员设为管理员；最后一位管理员不能退出或取消管理员身份。",
    ja="先に別のメンバーを管理者にしてください。最後の管理者は脱退や管理者の解除ができません。",
)
REMOVE_MEMBERS_FIRST = Text(
    "identity.remove-members-first",
    en="Remove the other members first (their licenses and cases then come to you); an organization is dissolved by its last member.",
    zh_tw="請先移除其他成員（他們的授權與案件將轉由您持有）；組織只能由最後一位成員解散。",
    zh_cn="请先移除其他成员（他们的授权与案件将转由您持有）；组织只能由最后一位成员解散。",
    ja="先に他のメンバーを削除してください（そのライセンスとケースはあなたに引き継がれます）。組織を解散できるのは最後のメンバーだけです。",
)
INVITATION_USED = Text(
    "identity.invitation-used",
    en="This invitation was already used, revoked or replaced; ask the organization's administrator for a new one.",
    zh_tw="此邀請已使用、已撤銷或已被取代，請向組織管理員索取新的邀請。",
    zh_cn="此邀请已使用、已撤销或已被取代，请向组织管理员索取新的邀请。",
    ja="この招待は使用済み、取り消し済み、または置き換え済みです。組織の管理者に新しい招待を依頼してください。",
)
INVITATION_LINK_EXPIRED = Text(
    "identity.invitation-expired",
    en="This invitation expired; ask the organization's administrator to invite you again.",
    zh_tw="此邀請已過期，請組織管理員重新邀請您。",
    zh_cn="此邀请已过期，请组织管理员重新邀请您。",
    ja="この招待は有効期限が切れています。組織の管理者に再度招待を依頼してください。",
)
SIGN_IN_AS_INVITEE = Text(
    "identity.sign-in-as-invitee",
    en="Sign in with the address the invitation was mailed to (or register with it), then open the link again.",
    zh_tw="請以收到邀請的電子郵件地址登入（或以該地址註冊），再重新開啟連結。",
    zh_cn="请以收到邀请的电子邮件地址登录（或以该地址注册），再重新打开链接。",
    ja="招待メールを受け取ったアドレスでサインイン（または登録）してから、もう一度リンクを開いてください。",
)
ALREADY_MEMBER_HERE = Text(
    "identity.already-member-here",
    en="{email} is already a member of your organization; no invitation is needed.",
    zh_tw="{email} 已是您組織的成員，無需邀請。",
    zh_cn="{email} 已是您组织的成员，无需邀请。",
    ja="{email} はすでに組織のメンバーです。招待は不要です。",
)
TOO_MANY_INVITATIONS = Text(
    "identity.too-many-invitations",
    en="Your organization sent many invitations in the last hour; try again in {minutes} minutes.",
    zh_tw="您的組織在過去一小時內寄出了許多邀請，請於 {minutes} 分鐘後再試。",
    zh_cn="您的组织在过去一小时内发送了许多邀请，请在 {minutes} 分钟后重试。",
    ja="組織が過去 1 時間に多くの招待を送信しました。{minutes} 分後にもう一度お試しください。",
)
