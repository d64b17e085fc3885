"""What the cases service tells a person who was refused, and what to do next, in four languages.

The titles are the problem types (problems.py); these are the details. Why a case cannot be
opened on a license (its coverage) is in reasons.py.
"""

from shared.messages import Text

PICK_BOUND_LICENSE = Text(
    "cases.pick-bound-license",
    en="Pick a license listed under Personal File / Product Licenses, or add it there first.",
    zh_tw="請選擇「個人檔案 / 產品授權」中列出的授權，或先在該頁加入授權。",
    zh_cn="请选择“个人档案 / 产品授权”中列出的授权，或先在该页添加授权。",
    ja="「個人ファイル / 製品ライセンス」に表示されているライセンスを選ぶか、先にそこでライセンスを登録してください。",
)
CHECK_CASE_ID = Text(
    "cases.check-case-id",
    en="Check the case id; Case Management lists your cases.",
    zh_tw="請確認案件編號；「案件管理」會列出您的所有案件。",
    zh_cn="请确认案件编号；“案件管理”会列出您的所有案件。",
    ja="案件 ID を確認してください。「案件管理」にお客様の案件が一覧表示されます。",
)
CLOSED_OPEN_NEW = Text(
    "cases.closed-open-new",
    en="Open a new case, or ask support to reopen this one.",
    zh_tw="請開立新案件，或請客服人員重新開啟此案件。",
    zh_cn="请新开一个案件，或请客服人员重新开启此案件。",
    ja="新しい案件を起票するか、サポート担当者にこの案件の再オープンを依頼してください。",
)
RESOLVED_TOO_LONG_AGO = Text(
    "cases.resolved-too-long-ago",
    en="This case was resolved too long ago to reopen; open a new case instead.",
    zh_tw="此案件結案已久，無法重新開啟；請改為開立新案件。",
    zh_cn="此案件解决已久，无法重新开启；请改为新开案件。",
    ja="この案件は解決から時間が経っているため再オープンできません。新しい案件を起票してください。",
)
SEND_AS_REPLY = Text(
    "cases.send-as-reply",
    en="Send it as a normal reply instead.",
    zh_tw="請改以一般回覆送出。",
    zh_cn="请改以普通回复发送。",
    ja="通常の返信として送信してください。",
)
CUSTOMER_MOVES = Text(
    "cases.customer-moves",
    en="You can close your case, or reopen it once it is resolved.",
    zh_tw="您可以結案，或在案件已解決後重新開啟。",
    zh_cn="您可以结案，或在案件已解决后重新开启。",
    ja="案件をクローズするか、解決済みになった案件を再オープンすることができます。",
)
TRANSITION_NOT_ALLOWED = Text(
    "cases.transition-not-allowed",
    en="A case that is {current} cannot become {target}; it can become: {allowed}.",
    zh_tw="狀態為 {current} 的案件無法變更為 {target}；可變更為：{allowed}。",
    zh_cn="状态为 {current} 的案件无法变更为 {target}；可变更为：{allowed}。",
    ja="ステータスが {current} の案件は {target} に変更できません。変更できるステータス：{allowed}。",
)
DESK_FOR_STAFF = Text(
    "cases.desk-for-staff",
    en="The support desk is for support, security and admin staff; customers find their cases under Case Management.",
    zh_tw="客服工作台僅供客服、資安與管理人員使用；客戶請至「案件管理」查看案件。",
    zh_cn="客服工作台仅供客服、安全与管理人员使用；客户请至“案件管理”查看案件。",
    ja="サポートデスクはサポート・セキュリティ・管理担当者専用です。お客様は「案件管理」で案件をご確認ください。",
)
STAFF_ON_CASE = Text(
    "cases.staff-on-case",
    en="Only support staff can do this on a case; write a reply on your case instead.",
    zh_tw="此操作僅限客服人員；請改為在您的案件中回覆。",
    zh_cn="此操作仅限客服人员；请改为在您的案件中回复。",
    ja="この操作はサポート担当者のみ行えます。案件への返信をご利用ください。",
)
REOPEN_BEFORE_WRITING = Text(
    "cases.reopen-before-writing",
    en="Reopen the case (status: in progress) before writing on it.",
    zh_tw="請先將案件重新開啟（狀態：處理中）再撰寫內容。",
    zh_cn="请先将案件重新开启（状态：处理中）再撰写内容。",
    ja="書き込む前に案件を再オープン（ステータス：対応中）してください。",
)
PICK_ELIGIBLE_ASSIGNEE = Text(
    "cases.pick-eligible-assignee",
    en="Pick someone from the staff list (security cases: the security team only).",
    zh_tw="請從人員清單中選擇負責人（資安案件僅限資安團隊）。",
    zh_cn="请从人员列表中选择负责人（安全案件仅限安全团队）。",
    ja="担当者一覧から選んでください（セキュリティ案件はセキュリティチームのみ）。",
)
CUSTOMER_UNKNOWN = Text(
    "cases.customer-unknown",
    en="No customer with this id is known to the support desk; search by email, name or serial.",
    zh_tw="客服工作台找不到此客戶編號；請改以電子郵件、姓名或序號搜尋。",
    zh_cn="客服工作台找不到此客户编号；请改以电子邮件、姓名或序列号搜索。",
    ja="このIDのお客様はサポートデスクに登録されていません。メールアドレス、氏名、シリアル番号で検索してください。",
)
TOO_MANY_CASES = Text(
    "cases.too-many-cases",
    en="Too many cases in a short time; try again in {minutes} minutes.",
    zh_tw="短時間內開立的案件過多；請於 {minutes} 分鐘後再試。",
    zh_cn="短时间内新开的案件过多；请于 {minutes} 分钟后再试。",
    ja="短時間に起票された案件が多すぎます。{minutes} 分後にもう一度お試しください。",
)
TOO_MANY_REPLIES = Text(
    "cases.too-many-replies",
    en="Too many replies in a short time; try again in {minutes} minutes.",
    zh_tw="短時間內的回覆過多；請於 {minutes} 分鐘後再試。",
    zh_cn="短时间内的回复过多；请于 {minutes} 分钟后再试。",
    ja="短時間の返信が多すぎます。{minutes} 分後にもう一度お試しください。",
)
ATTACH_TO_OPEN_CASE = Text(
    "cases.attach-to-open-case",
    en="Files can only be attached to an open case; open a new case to send them.",
    zh_tw="只能在未結案的案件上附加檔案；請開立新案件後再傳送。",
    zh_cn="只能在未结案的案件上附加文件；请新开案件后再发送。",
    ja="ファイルはクローズされていない案件にのみ添付できます。新しい案件を起票して送信してください。",
)
ATTACHMENT_SIZE_LIMIT = Text(
    "cases.attachment-size-limit",
    en="Files up to {mib} MiB can be attached; compress or split the file and try again.",
    zh_tw="可附加的檔案上限為 {mib} MiB；請壓縮或分割檔案後再試。",
    zh_cn="可附加的文件上限为 {mib} MiB；请压缩或拆分文件后再试。",
    ja="添付できるファイルは {mib} MiB までです。圧縮または分割してからもう一度お試しください。",
)
ATTACHMENT_TYPES = Text(
    "cases.attachment-types",
    en="Attach one of these types: {allowed}.",
    zh_tw="請附加下列類型之一的檔案：{allowed}。",
    zh_cn="请附加以下类型之一的文件：{allowed}。",
    ja="次のいずれかの種類のファイルを添付してください：{allowed}。",
)
START_UPLOAD_AGAIN = Text(
    "cases.start-upload-again",
    en="Start the upload again.",
    zh_tw="請重新開始上傳。",
    zh_cn="请重新开始上传。",
    ja="アップロードを最初からやり直してください。",
)
UPLOAD_WITH_FORM = Text(
    "cases.upload-with-form",
    en="Upload the file with the form you were given, then try again.",
    zh_tw="請使用系統提供的上傳表單上傳檔案，再重試一次。",
    zh_cn="请使用系统提供的上传表单上传文件，再重试一次。",
    ja="案内されたフォームでファイルをアップロードしてから、もう一度お試しください。",
)
PARTNERS_ADMIN_ONLY = Text(
    "cases.partners-admin-only",
    en="Support reads the partner directory; ask an administrator to change it.",
    zh_tw="客服人員只能查看合作夥伴名錄；如需變更請洽管理員。",
    zh_cn="客服人员只能查看合作伙伴名录；如需变更请联系管理员。",
    ja="サポート担当者はパートナー一覧を閲覧のみできます。変更は管理者に依頼してください。",
)
PARTNER_GONE = Text(
    "cases.partner-gone",
    en="This partner is not in the directory (any more); reload the partner directory.",
    zh_tw="名錄中（已）沒有此合作夥伴；請重新載入合作夥伴名錄。",
    zh_cn="名录中（已）没有此合作伙伴；请重新加载合作伙伴名录。",
    ja="このパートナーは一覧にありません（削除された可能性があります）。パートナー一覧を再読み込みしてください。",
)
