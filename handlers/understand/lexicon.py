"""The phrases the interpreter listens for, in normalised form (handlers.understand.normalize:
folded, abbreviations written out, so "ko đc" is "khong duoc"), one set per meaning.

Kept as data: a phrasing missed in the field is one more entry here. Phrases are separated by
"|" so that the sets stay readable (and formatters leave them alone).
"""

from __future__ import annotations


def _phrases(text: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()) for p in text.split("|") if p.strip())


# -- yes / no ---
YES = _phrases(
    "y | accept | i accept | go on | agree | chuan | co | correct | da | dung | duoc | good | ok | phai | right | roi | sure | u | vang | "
    "yes | chac chan | chinh xac | co a | da co | da vang | dong y | dung a | dung roi | dung vay | duoc "
    "roi | i agree | khong sao | nhat tri | of course | ok luon | phai roi | xac nhan | dong y het | em "
    "dong y | khong van de | toi dong y | khong van de gi"
)
NO = _phrases(
    "chang | chua | disagree | khong | no | nope | not | sai | wrong | chua a | khong a | khong cho | "
    "khong dung | khong muon | khong phai | tu choi | khong dong y"
)
# Before a positive word these turn it around: "không được", "chưa xong", "chẳng ăn thua".
NEGATORS = _phrases(
    "cannot | cant | cha | chang | chua | didnt | doesnt | dont | khong | never | no | not | khong he"
)
# Idioms that contain a negator but say yes / fine.
POSITIVE_IDIOMS = _phrases(
    "het loi | khong sao | no problem | khong co gi | khong con loi | khong van de | khong loi gi nua"
)
# "It worked", said after instructions (the FAQ answer).
WORKED = _phrases(
    "done | duoc | fixed | ok | on | resolved | roi | solved | worked | working | works | xong | da duoc "
    "| da xong | duoc a | duoc roi | giup duoc | het loi | it worked | it works | lam duoc | ngon roi | "
    "nop duoc | ok roi | on roi | roi a | thanh cong | that helped | vao duoc | works now | xong a | xong "
    "roi | da giai quyet | da nhan duoc | dang nhap duoc | giai quyet duoc | het loi roi | it works now | "
    "khong con loi | lam duoc roi | nhan duoc roi | thanh cong roi | thanks it works | vao duoc roi | "
    "dang nhap duoc roi | giai quyet duoc roi"
)
# "It did not help": still failing, tried and no luck, not my problem.
NOT_WORKED = _phrases(
    "didnt help | did not help | not help | no help | doesnt help | not helpful | broken | khac | loi | still | van | bao loi | bi loi | chua duoc | chua xong | didnt work | doesnt "
    "work | khong duoc | khong giong | khong giup | khong on | khong phai | khong vao | khong xong | may "
    "lan | nhieu lan | nhu cu | no luck | not solved | not working | same error | same problem | still "
    "broken | that bai | thu het | thu nhieu | van bao | van bi | van chua | van con | van khong | van "
    "loi | van the | van vay | ca chuc lan | can ho tro | chua giai quyet | khong an thua | khong duoc gi "
    "| khong giai quyet | khong tac dung | khong thanh cong | van khong duoc | van nhu cu | van y nguyen "
    "| y nhu cu | can nguoi ho tro | chuyen to cong tac | gui to cong tac | nho to cong tac"
)
# A turn of the sentence: what follows "mà", "nhưng" is what the person means.
CONTRAST = _phrases("but | however | ma | nhung | nhung ma | tuy nhien")
# -- commands in words ---
CANCEL = _phrases(
    "cancel | huy | stop | cancel it | dung lai | huy bo | huy di | huy giup | thoi huy | huy giup em | "
    "huy phan anh | khong gui nua | thoi khong gui | xoa phan anh | khong can gui nua | khong muon gui "
    "nua | khong phan anh nua | thoi khong gui nua | thoi khong phan anh nua"
)
RESTART = _phrases(
    "restart | lam lai | start over | bat dau lai | lai tu dau | gui lai tu dau | huy di lam lai | lam "
    "lai tu dau"
)
BACK = _phrases("back | buoc truoc | go back | lui lai | quay lai | tro lai | quay lai buoc truoc")
HUMAN = _phrases(
    "nguoi doc | ai doc | co nguoi | nguoi xem | agent | hotline | human | gap admin | gap nguoi | muon gap | nguoi that | real person | tong dai | "
    "cho em gap | cho toi gap | gap can bo | gap nhan vien | gap truc tiep | so tong dai | talk to "
    "someone | tong dai vien | tu van vien | chuyen cho can bo | goi dien cho ai | lien he truc tiep | "
    "noi chuyen voi nguoi | talk to a person | noi chuyen voi can bo | so dien thoai to cong tac"
)
# "Skip this question": at an optional step it is the answer "none".
SKIP = _phrases(
    "tat ca cac thu tuc | thu tuc nao cung | moi thu tuc | no phone | dont have | no code | not yet | chiu | khoi | next | none | pass | qua | skip | thoi | bi mat | bo qua | chua co | chua nop | "
    "de sau | dont have | dont know | khong biet | khong can | khong cho | khong co | khong de | khong "
    "muon | khong nho | khong ro | khong tien | no idea | quen mat | quen roi | thoi khoi | chua co ma | "
    "khong biet ma | khong co gi | khong co ma | khong co so | khong muon cho | khong nho ma"
)
# "Send it as it is": the remaining optional questions are skipped.
FINISH = _phrases(
    "send | submit | gui di | gui lien | gui luon | gui ngay | send it | gui luon di | gui luon nhe"
)
# -- questions ---
# The person does not understand the question or its choices.
CLARIFY = _phrases(
    "buoc nao | cai gi | chon gi | chua hieu | chua ro | dai qua | dont understand | gi vay | giai thich "
    "| hieu khong | hoi gi | khong hieu | kieu gi | la gi | la sao | lam gi | lam sao | sao vay | the nao "
    "| chon cai nao | do not understand | doc dai qua | dong y gi | hoi la gi | khong ro y | la cai gi | "
    "nghia la gi | nhu the nao | phai lam gi | the la sao | y la sao | dong y cai gi | what do you mean"
)
# About a case already sent: where it is, when it ends.
STATUS = _phrases(
    "status | any update | my case | my report | sao roi | tien do | xong chua | bao gio xong | den dau roi | "
    "giai quyet chua | ket qua chua | khi nao xong | kiem tra giup | ra sao roi | the nao roi | traloi chua | "
    "xu ly chua | co ai xem chua | co ket qua chua | co tin gi chua | da xu ly chua | duoc giai quyet chua | "
    "thay ma phan anh | xu ly den dau | bao gio co ket qua | co ai traloi chua | da co ket qua chua | "
    "khi nao co ket qua | toi dau roi"
)
# Said of anything ("xác nhận tình trạng hôn nhân", "bao giờ"): a status question only about a case.
STATUS_WEAK = _phrases("update | bao gio | khi nao | tinh trang | xem giup")
STATUS_SUBJECT = _phrases(
    "ket qua | cai | case | don | loi | ma | report | ho so | phan anh | van de | yeu cau"
)
# Complaints about waiting.
WAITING = _phrases(
    "anybody | anyone | nobody | cham qua | cho lau | cho mai | doi lau | doi mai | im lang | im re | is "
    "anyone | lau qua | lau the | lau vay | mai khong | no answer | sao lau | sao mai | still waiting | "
    "bao lau nua | chua thay ai | co ai khong | khong thay ai | no one answered | sao chua ai | ai traloi "
    "di | chua ai traloi | chua thay traloi | khong ai traloi | khong thay phan hoi"
)
# The new unit of an old commune (1 July 2025 merger).
NEW_UNIT = _phrases(
    "co phai | doi ten | doi thanh | gio la | gio thanh | gio thuoc | gop vao | gop voi | nay la | nay "
    "thuoc | nhap vao | ten moi | bay gio la | don vi moi | sap nhap vao | sau sap nhap | thuoc phuong "
    "nao | thuoc xa nao | nay la phuong nao | nay la xa nao"
)
# Where to file (with a verb of filing, WHERE_VERBS).
WHERE_TO_FILE = _phrases(
    "where | where to | gui o dau | lam o dau | nop o dau | nop ho so o dau | nop truc tuyen o dau"
)
# Beyond the task force: fees, land, a procedure's legal rules, other services; is this the right place.
SCOPE = _phrases(
    "luat | tax | thue | visa | bao hiem | can gi | dat dai | dieu kien | dung cho | dung noi | hang xom "
    "| lan chiem | le phi | mat phi | may ngay | nghi dinh | quy dinh | right place | so do | thong tu | "
    "thua ke | tranh chap | truoc ba | work permit | bao nhieu tien | can nhung gi | co duoc khong | co "
    "phai noi | dung cho nay | giay to gi | mat bao lau | noi khieu nai | phi bao nhieu | can giay to gi "
    "| can nhung giay to | cho nay co phai | khieu nai can bo | thoi han giai quyet"
)
QUESTION_WORDS = _phrases(
    "dau | gi | how | nao | sao | what | when | where | which | why | bao gio | bao nhieu | co phai | khi "
    "nao | tai sao | the nao | vi sao | nhu the nao"
)
# -- social ---
GREETING = _phrases(
    "alo | chao | hello | helo | hey | hi | admin oi | alo admin | ban oi | chao admin | chao anh | chao "
    "ban | chao bot | chao chi | chao em | chau chao | em chao | good afternoon | good morning | hello "
    "admin | hi admin | shop oi | toi chao | xin chao | em chao admin | xin chao admin"
)
THANKS = _phrases(
    "thanks | cam on | cam ta | many thanks | thank you | cam on a | cam on admin | cam on ban | cam on "
    "em | cam on nhieu | xin cam on | thank you so much"
)
ABUSE = _phrases(
    "clgt | dcm | dit | dkm | dm | dmm | fuck | shit | vcl | vl | wtf | bot ngu | chan qua | do ngu | lua "
    "dao | ngu the | ngu vay | vo dung | lam an nhu | vo trach nhiem | lam an kieu gi"
)
# Polite and filler words that change nothing in an answer ("dạ được ạ", "ok luôn nhé").
FILLER = _phrases(
    "thoi | a | ad | admin | anh | ban | ca | chac | chi | cho | da | dau | dum | em | giup | het | hi | ho | "
    "hoi | la | luon | minh | ne | nha | nhe | now | o | oi | please | pls | thank | the | thi | toi | u "
    "| um | vay | voi | xin | you | ca nha | chac la | nhe a | ba | bac | chau | chu | co | ong | con | cu | tao "
    "| may | e | ah | ak | nhe chau | chau a | bac a"
)
# -- what a problem sounds like ---
# Words of a complaint about the systems (see handlers.understand.interpret.is_problem).
PROBLEM = _phrases(
    "account | anh | app | bao | bi | cannot | chup | duoc | error | failed | file | gui | huy | khoa | "
    "khong | login | loi | ma | nhan | nop | not | otp | password | payment | phi | quay | sai | sms | "
    "sua | tep | token | treo | upload | vao | vneid | bi khoa | bo sung | can cuoc | can not | "
    "cap nhat | dang nhap | dinh danh | he thong | het han | ho so | ket qua | khai sinh | ky so | le phi "
    "| man hinh | mat khau | mot cua | muc 2 | phan mem | tai khoan | tai len | tam tru | thanh toan | "
    "thuong tru | tiep nhan | tin nhan | trang thai | tu choi | ung dung | xac thuc | chu ky so | dich vu "
    "cong | tra ket qua"
)
WHERE_VERBS = _phrases("nop | lam | gui | file | submit | apply | dang ky")
# Words that alone say nothing of the systems ("không", "được", "bị"): they add to a message that
# already has a strong problem word, never make one.
WEAK_PROBLEM = _phrases(
    "bi | khong | duoc | vao | gui | nhan | sua | huy | not | ma | bao | sai | anh | file | tep | chup | cap nhat | tin nhan"
)
# Everyday phrases of the conversation, so that words typed without spaces ("nguoidan",
# "tieptuc", "dongy") can be cut where these phrases say (handlers.understand.slips).
COMMON = _phrases(
    "nguoi dan | doanh nghiep | can bo | cong chuc | tiep tuc | bo qua | dich vu cong | phan anh | dong y | "
    "khong co | khong nho | khong biet | so dien thoai | ma ho so | thu tuc | he thong | mat khau | tai khoan | "
    "dang nhap | thanh toan | chu ky so | gui di | xong roi | duoc roi | cam on | xin chao | tra cuu | huong dan"
)
# Withdrawing a case already filed ("hủy phản ánh PA-…", "em làm được rồi, không cần xử lý nữa").
WITHDRAW = _phrases(
    "huy phan anh | huy cai phan anh | rut phan anh | rut lai phan anh | khong can xu ly nua | khong can "
    "giai quyet nua | dung xu ly | thoi khong can nua | khong can nua | huy yeu cau | huy ho tro | cancel my "
    "report | withdraw | no longer need"
)
# Words that NAME who writes, where and which system ("hệ thống một cửa của thành phố", "cán bộ
# xã Vĩnh Hải", "phường An Dương, lỗi chữ ký số"). Some are problem words too ("một cửa", "hệ
# thống", "lỗi"), so an answer made of them looked like a description and the description
# question was skipped (issue 16 audit): handlers.understand.interpret.describes_problem sets
# them aside before deciding that a message also tells a problem.
NAMES = _phrases(
    "vneid | vn eid | ve en ai di | ung dung vneid | app vneid | chu ky so | ky so | usb token | sim ky so "
    "| he thong | mot cua | phan mem mot cua | phan mem | cong dich vu cong | dich vu cong | cong dvc | "
    "dichvucong | quoc gia | thanh pho | giai quyet | thu tuc hanh chinh | thanh toan | thanh toan truc "
    "tuyen | truc tuyen | online | can bo | cong chuc | ubnd | xa | phuong | dac khu | thi tran | huyen | "
    "quan | cu | nguoi dan | doanh nghiep | gui phan anh | phan anh | ve | cua | tren | va | la | y em la | "
    "khong phai | cai"
)
# "lỗi chữ ký số", "bị lỗi trên VNeID": an error WITH a system names the system; "lỗi" alone
# ("một lỗi khác nữa") still tells that something failed.
NAMES = NAMES | frozenset(
    f"{lead} {name}"
    for lead in ("loi", "loi tren", "loi o", "loi cua", "bao loi", "bi loi")
    for name in NAMES
)
# The things the bot's own questions ask for: asking about them ("mã hồ sơ xem ở đâu ạ?") is not
# describing a problem, though "hồ sơ" is a problem word.
ASKED_FOR = _phrases(
    "ma ho so | ho so | ma | so dien thoai | dien thoai | thu tuc | he thong | mo ta | anh | tep | don vi "
    "| xa | phuong | ten cu | ten moi | dong y | luu"
)
