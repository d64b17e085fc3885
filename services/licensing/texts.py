"""Every sentence the licensing service puts in a problem's detail, in the four languages.

Ids are `licensing.<what-to-do>`; parameters are dates, serials and counts only, so each
language words the sentence its own way around them.
"""

from shared.messages import Text

# --- looking a license or contract up (customers) ----------------------------------------------

CHECK_SERIAL = Text(
    "licensing.check-serial",
    en="Check the serial number: it is not complete or has a typo (letters, digits and dashes as printed).",
    zh_tw="請檢查授權序號：序號不完整或有誤，請依印製內容輸入英文字母、數字與連字號。",
    zh_cn="请检查授权序号：序号不完整或有误，请按印制内容输入英文字母、数字与连字符。",
    ja="シリアルナンバーをご確認ください。不完全か誤りがあります（印字どおりの英字・数字・ハイフンで入力してください）。",
)
CHECK_SERIAL_AND_REGISTRATION = Text(
    "licensing.check-serial-and-registration",
    en="Check the serial number and the registration number printed on your invoice, then try again.",
    zh_tw="請核對發票上印製的授權序號與註冊序號後再試一次。",
    zh_cn="请核对发票上印制的授权序号与注册序号后再试一次。",
    ja="請求書に記載のシリアルナンバーと登録番号をご確認のうえ、もう一度お試しください。",
)
TOO_MANY_WRONG_NUMBERS = Text(
    "licensing.too-many-wrong-numbers",
    en="Too many wrong serial or registration numbers. Try again in {seconds} seconds.",
    zh_tw="輸入錯誤的序號或註冊序號次數過多，請於 {seconds} 秒後再試。",
    zh_cn="输入错误的序号或注册序号次数过多，请于 {seconds} 秒后再试。",
    ja="シリアルナンバーまたは登録番号の誤りが多すぎます。{seconds} 秒後にもう一度お試しください。",
)
VERIFY_ACCOUNT_FIRST = Text(
    "licensing.verify-account-first",
    en="Open the verification link we mailed you (or ask your sales representative), then try again.",
    zh_tw="請開啟我們寄給您的驗證連結（或洽詢您的業務代表）後再試一次。",
    zh_cn="请打开我们发送给您的验证链接（或联系您的销售代表）后再试一次。",
    ja="お送りした認証リンクを開いてから（または営業担当者にご依頼のうえ）、もう一度お試しください。",
)

# --- binding (customers) -----------------------------------------------------------------------

LICENSE_BOUND_ELSEWHERE = Text(
    "licensing.license-bound-elsewhere",
    en="Each license binds to one account. If this is your company's license, ask your "
    "administrator or your sales representative to move it.",
    zh_tw="每個授權只能綁定一個帳號。若這是貴公司的授權，請洽貴公司管理員或業務代表協助移轉。",
    zh_cn="每个授权只能绑定一个账号。若这是贵公司的授权，请联系贵公司管理员或销售代表协助转移。",
    ja="ライセンスは 1 つのアカウントにのみ登録できます。貴社のライセンスであれば、管理者または営業担当者に移動を依頼してください。",
)
BIND_LICENSE_FIRST = Text(
    "licensing.bind-license-first",
    en="Bind the license {serial} to your account first (Product Licenses → +Add License).",
    zh_tw="請先將授權 {serial} 綁定至您的帳號（產品授權 → +新增授權）。",
    zh_cn="请先将授权 {serial} 绑定至您的账号（产品授权 → +新增授权）。",
    ja="先にライセンス {serial} をアカウントに登録してください（製品ライセンス → +ライセンスを追加）。",
)
BIND_EARLIER_CONTRACT_FIRST = Text(
    "licensing.bind-earlier-contract-first",
    en="Bind the maintenance contract that starts on {required_start} first.",
    zh_tw="請先綁定自 {required_start} 起算的維護合約。",
    zh_cn="请先绑定自 {required_start} 起算的维护合约。",
    ja="先に {required_start} から始まる保守契約を登録してください。",
)
NO_LICENSE_OF_YOURS = Text(
    "licensing.no-license-of-yours",
    en="You have no license with this id; open it from your license list.",
    zh_tw="您的帳號沒有此授權，請從授權清單開啟。",
    zh_cn="您的账号没有此授权，请从授权列表打开。",
    ja="このライセンスはお客様のアカウントにありません。ライセンス一覧から開いてください。",
)
SIGNING_KEY_NOT_READY = Text(
    "licensing.signing-key-not-ready",
    en="The signing key is being created; try again in a few seconds.",
    zh_tw="簽章金鑰建立中，請稍候幾秒再試。",
    zh_cn="签名密钥正在创建，请稍候几秒再试。",
    ja="署名鍵を作成中です。数秒後にもう一度お試しください。",
)

# --- issuing (staff) ---------------------------------------------------------------------------

USE_KNOWN_PRODUCT = Text(
    "licensing.use-known-product",
    en="Use one of these products: {products}.",
    zh_tw="請使用下列產品之一：{products}。",
    zh_cn="请使用下列产品之一：{products}。",
    ja="次のいずれかの製品を指定してください：{products}。",
)
NO_LICENSE_WITH_SERIAL = Text(
    "licensing.no-license-with-serial",
    en="No license has the serial {serial}; check it in the license search.",
    zh_tw="沒有序號為 {serial} 的授權，請在授權搜尋中確認。",
    zh_cn="没有序号为 {serial} 的授权，请在授权搜索中确认。",
    ja="シリアルナンバー {serial} のライセンスはありません。ライセンス検索で確認してください。",
)
NO_CONTRACT_WITH_ID = Text(
    "licensing.no-contract-with-id",
    en="No contract has this id; find it under its license in the license search.",
    zh_tw="沒有此編號的合約，請在授權搜尋中從所屬授權找出合約。",
    zh_cn="没有此编号的合约，请在授权搜索中从所属授权找出合约。",
    ja="この ID の契約はありません。ライセンス検索で該当ライセンスの契約を確認してください。",
)
VOID_LICENSE_GETS_NO_CONTRACT = Text(
    "licensing.void-license-gets-no-contract",
    en="A void license cannot get a maintenance contract; restore the license first.",
    zh_tw="已作廢的授權無法新增維護合約，請先復原該授權。",
    zh_cn="已作废的授权无法新增维护合约，请先恢复该授权。",
    ja="無効化されたライセンスには保守契約を発行できません。先にライセンスを復元してください。",
)
RENEWAL_MUST_PAY_GAP = Text(
    "licensing.renewal-must-pay-gap",
    en="Coverage ended on {coverage_end}. A renewal must start on {required_start} so the lapsed "
    "days {gap_start} to {gap_end} are paid too.",
    zh_tw="保固已於 {coverage_end} 結束。續約須自 {required_start} 起算，"
    "以補繳 {gap_start} 至 {gap_end} 的中斷期間。",
    zh_cn="保修已于 {coverage_end} 结束。续约须自 {required_start} 起算，"
    "以补缴 {gap_start} 至 {gap_end} 的中断期间。",
    ja="保守期間は {coverage_end} に終了しています。{gap_start} から {gap_end} までの空白期間も"
    "お支払いいただくため、更新は {required_start} 開始にしてください。",
)
RENEWAL_OVERLAPS = Text(
    "licensing.renewal-overlaps",
    en="The days {overlap_start} to {overlap_end} are already covered. A renewal bought early "
    "starts when the current coverage ends: on {required_start}.",
    zh_tw="{overlap_start} 至 {overlap_end} 已在保固範圍內。提前購買的續約自目前保固結束後起算，"
    "即 {required_start}。",
    zh_cn="{overlap_start} 至 {overlap_end} 已在保修范围内。提前购买的续约自当前保修结束后起算，"
    "即 {required_start}。",
    ja="{overlap_start} から {overlap_end} までは既に保守対象です。早期に購入した更新は現在の"
    "保守期間の終了後、{required_start} から開始してください。",
)
IMPORT_HAS_PROBLEMS = Text(
    "licensing.import-has-problems",
    en="{count} problem(s) found; fix them all and import the file again.",
    zh_tw="發現 {count} 個問題，請全部修正後重新匯入檔案。",
    zh_cn="发现 {count} 个问题，请全部修正后重新导入文件。",
    ja="{count} 件の問題が見つかりました。すべて修正してから、もう一度ファイルをインポートしてください。",
)
SPLIT_IMPORT = Text(
    "licensing.split-import",
    en="Split the file: at most {megabytes} MB per import.",
    zh_tw="請分割檔案：每次匯入最多 {megabytes} MB。",
    zh_cn="请拆分文件：每次导入最多 {megabytes} MB。",
    ja="ファイルを分割してください。1 回のインポートは最大 {megabytes} MB です。",
)
SEND_CSV = Text(
    "licensing.send-csv",
    en="Send the file as text/csv or as the multipart/form-data field 'file'.",
    zh_tw="請以 text/csv 或 multipart/form-data 的「file」欄位上傳檔案。",
    zh_cn="请以 text/csv 或 multipart/form-data 的“file”字段上传文件。",
    ja="ファイルは text/csv、または multipart/form-data の「file」フィールドで送信してください。",
)
UPLOAD_NOT_MULTIPART = Text(
    "licensing.upload-not-multipart",
    en="The upload is not valid multipart/form-data; send the CSV again as the field 'file'.",
    zh_tw="上傳內容不是有效的 multipart/form-data，請以「file」欄位重新上傳 CSV。",
    zh_cn="上传内容不是有效的 multipart/form-data，请以“file”字段重新上传 CSV。",
    ja="アップロードが有効な multipart/form-data ではありません。CSV を「file」フィールドで送り直してください。",
)
SEND_CSV_AS_FILE_FIELD = Text(
    "licensing.send-csv-as-file-field",
    en="Send the CSV as the form field 'file'.",
    zh_tw="請以表單欄位「file」上傳 CSV。",
    zh_cn="请以表单字段“file”上传 CSV。",
    ja="CSV はフォームフィールド「file」で送信してください。",
)

# --- correcting (staff) ------------------------------------------------------------------------

LICENSE_ALREADY_VOID = Text(
    "licensing.license-already-void",
    en="The license was voided on {voided_on}; restore it if it should count again.",
    zh_tw="此授權已於 {voided_on} 作廢；若應重新生效，請復原。",
    zh_cn="此授权已于 {voided_on} 作废；若应重新生效，请恢复。",
    ja="このライセンスは {voided_on} に無効化されています。再び有効にする場合は復元してください。",
)
CONTRACT_ALREADY_VOID = Text(
    "licensing.contract-already-void",
    en="The contract was voided on {voided_on}; restore it if it should count again.",
    zh_tw="此合約已於 {voided_on} 作廢；若應重新生效，請復原。",
    zh_cn="此合约已于 {voided_on} 作废；若应重新生效，请恢复。",
    ja="この契約は {voided_on} に無効化されています。再び有効にする場合は復元してください。",
)
VOID_LICENSE_NOT_MOVED = Text(
    "licensing.void-license-not-moved",
    en="A void license cannot be moved; restore it first.",
    zh_tw="已作廢的授權無法移轉，請先復原。",
    zh_cn="已作废的授权无法转移，请先恢复。",
    ja="無効化されたライセンスは移動できません。先に復元してください。",
)
MOVE_NEEDS_BINDING = Text(
    "licensing.move-needs-binding",
    en="Only a bound license can be moved; the customer can bind it directly.",
    zh_tw="只有已綁定的授權可以移轉；客戶可直接自行綁定。",
    zh_cn="只有已绑定的授权可以转移；客户可直接自行绑定。",
    ja="移動できるのは登録済みのライセンスだけです。お客様ご自身で直接登録できます。",
)
MOVE_TARGET_MUST_BE_VERIFIED = Text(
    "licensing.move-target-must-be-verified",
    en="The account must exist and be verified before licenses can be moved to it.",
    zh_tw="目標帳號須已存在且完成驗證，才能將授權移轉過去。",
    zh_cn="目标账号须已存在且完成验证，才能将授权转移过去。",
    ja="ライセンスを移動するには、移動先のアカウントが存在し認証済みである必要があります。",
)
LICENSE_NOT_VOID = Text(
    "licensing.license-not-void",
    en="Only a void license can be restored; this one counts already.",
    zh_tw="只有已作廢的授權可以復原；此授權目前仍有效。",
    zh_cn="只有已作废的授权可以恢复；此授权目前仍有效。",
    ja="復元できるのは無効化されたライセンスだけです。このライセンスは有効です。",
)
CONTRACT_NOT_VOID = Text(
    "licensing.contract-not-void",
    en="Only a void contract can be restored; this one counts already.",
    zh_tw="只有已作廢的合約可以復原；此合約目前仍有效。",
    zh_cn="只有已作废的合约可以恢复；此合约目前仍有效。",
    ja="復元できるのは無効化された契約だけです。この契約は有効です。",
)
RESTORE_LICENSE_FIRST = Text(
    "licensing.restore-license-first",
    en="Restore the license {serial} first.",
    zh_tw="請先復原授權 {serial}。",
    zh_cn="请先恢复授权 {serial}。",
    ja="先にライセンス {serial} を復元してください。",
)
CONTRACT_SOLD_SINCE = Text(
    "licensing.contract-sold-since",
    en="The contract {starts_on} to {ends_on} was sold for these days since; void it first if "
    "this one should count instead.",
    zh_tw="這段期間之後已售出 {starts_on} 至 {ends_on} 的合約；若應改以此合約為準，請先將該合約作廢。",
    zh_cn="这段期间之后已售出 {starts_on} 至 {ends_on} 的合约；若应改以此合约为准，请先将该合约作废。",
    ja="この期間には、その後 {starts_on} から {ends_on} までの契約が販売されています。"
    "こちらを有効にする場合は、先にその契約を無効化してください。",
)

# --- license files of an organization ----------------------------------------------------------

ORGANIZATION_NAME_PENDING = Text(
    "licensing.organization-name-pending",
    en="Your organization's name has not reached licensing yet. Try again in a minute, or ask an organization admin to save its name once more.",
    zh_tw="授權服務尚未收到您組織的名稱。請稍候一分鐘再試，或請組織管理員重新儲存一次組織名稱。",
    zh_cn="授权服务尚未收到您组织的名称。请稍候一分钟再试，或请组织管理员重新保存一次组织名称。",
    ja="組織名がまだライセンスサービスに届いていません。1 分ほどしてからもう一度お試しいただくか、組織の管理者に組織名をもう一度保存するよう依頼してください。",
)
