"""The on-screen messages of the 36 FAQ topics, as the portal, VNeID and the one-stop software
show them (written by the project from the topics' answers and what citizens and officers paste).

Each entry: topic id, the screen it appears on ("vneid" app, "portal" = Cổng Dịch vụ công,
"onestop" = the city's one-stop software, "pay" = the payment page), the dialog's title and the
error message itself (the text a person would type if they copied it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenMessage:
    topic: str
    screen: str
    title: str
    message: str


MESSAGES: tuple[ScreenMessage, ...] = (
    ScreenMessage(
        "cb_tai_khoan_phan_quyen",
        "onestop",
        "Cảnh báo",
        "Tài khoản chưa được phân quyền xử lý hồ sơ tại đơn vị này. Vui lòng liên hệ quản trị hệ thống.",
    ),
    ScreenMessage(
        "cb_token_ky_so_loi",
        "onestop",
        "Lỗi ký số",
        "Ký số không thành công. Không tìm thấy USB Token, vui lòng kiểm tra thiết bị ký số.",
    ),
    ScreenMessage(
        "cb_chung_thu_so_don_vi_moi",
        "onestop",
        "Lỗi ký số",
        "Chứng thư số mang tên đơn vị cũ, không khớp với đơn vị đang xử lý hồ sơ.",
    ),
    ScreenMessage(
        "cb_thu_tuc_thieu_sai",
        "onestop",
        "Thông báo",
        "Không tìm thấy thủ tục hành chính trong danh mục của đơn vị. Quy trình chưa được cấu hình.",
    ),
    ScreenMessage(
        "cb_so_hoa", "onestop", "Lỗi", "Không lưu được kết quả số hóa hồ sơ. Tệp số hóa chưa được ký số."
    ),
    ScreenMessage(
        "cb_du_lieu_don_vi_cu", "onestop", "Thông báo", "Không có dữ liệu hồ sơ của đơn vị cũ trước sáp nhập."
    ),
    ScreenMessage(
        "cb_ha_tang_he_thong",
        "onestop",
        "Lỗi kết nối",
        "Hệ thống một cửa điện tử không phản hồi. Hết thời gian chờ kết nối tới máy chủ.",
    ),
    ScreenMessage(
        "tra_cuu_don_vi_moi",
        "portal",
        "Thông báo",
        "Xã, phường cũ không còn trong danh mục. Vui lòng chọn đơn vị hành chính mới sau sắp xếp.",
    ),
    ScreenMessage(
        "dac_khu_cat_hai_bach_long_vi",
        "portal",
        "Thông báo",
        "Không tìm thấy cơ quan tiếp nhận tại đặc khu Bạch Long Vĩ.",
    ),
    ScreenMessage(
        "khong_nop_lai_giay_to",
        "portal",
        "Yêu cầu bổ sung",
        "Đề nghị nộp bản sao giấy khai sinh và giấy xác nhận cư trú đã có trên VNeID.",
    ),
    ScreenMessage(
        "giay_to_dia_chi_cu",
        "portal",
        "Cảnh báo",
        "Địa chỉ trên giấy tờ ghi huyện cũ, không khớp với địa danh hiện hành.",
    ),
    ScreenMessage(
        "gui_phan_anh",
        "portal",
        "Thông báo",
        "Gửi phản ánh, kiến nghị không thành công. Vui lòng gửi lại sau.",
    ),
    ScreenMessage(
        "thong_tin_bao_loi",
        "portal",
        "Đã xảy ra lỗi",
        "Đã xảy ra lỗi không xác định. Mã lỗi: ERR-500. Vui lòng báo lỗi kèm mã lỗi và thời gian.",
    ),
    ScreenMessage(
        "ho_tro_nguoi_yeu_the",
        "portal",
        "Hỗ trợ",
        "Người cao tuổi cần hỗ trợ nộp hồ sơ trực tuyến vui lòng liên hệ bộ phận một cửa.",
    ),
    ScreenMessage(
        "he_thong_moi_2_cap",
        "portal",
        "Thông báo",
        "Từ ngày 01/7/2025 không còn cấp huyện. Vui lòng chọn cơ quan cấp xã hoặc cấp thành phố.",
    ),
    ScreenMessage(
        "noi_nop_ho_so",
        "portal",
        "Thông báo",
        "Thủ tục không còn tiếp nhận tại cổng dịch vụ công cũ. Vui lòng nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia.",
    ),
    ScreenMessage(
        "phi_dia_gioi",
        "portal",
        "Thông báo",
        "Hồ sơ không được tiếp nhận do người nộp không cư trú tại địa bàn.",
    ),
    ScreenMessage(
        "chon_co_quan_tiep_nhan",
        "portal",
        "Cảnh báo",
        "Không tìm thấy xã mới trong danh sách cơ quan tiếp nhận. Vui lòng chọn lại nơi tiếp nhận.",
    ),
    ScreenMessage(
        "tai_tep_loi",
        "portal",
        "Lỗi",
        "Tải tệp đính kèm thất bại. Dung lượng tệp vượt quá giới hạn hoặc định dạng không hỗ trợ.",
    ),
    ScreenMessage(
        "ho_so_bi_tra_ve",
        "portal",
        "Thông báo",
        "Hồ sơ đã bị trả về. Lý do: thiếu thành phần hồ sơ, đề nghị bổ sung.",
    ),
    ScreenMessage(
        "tra_cuu_tinh_trang",
        "portal",
        "Tra cứu hồ sơ",
        "Không tìm thấy hồ sơ với mã hồ sơ đã nhập. Vui lòng kiểm tra lại mã tra cứu.",
    ),
    ScreenMessage(
        "ho_so_chua_dong_bo",
        "portal",
        "Trạng thái hồ sơ",
        "Hồ sơ đã nộp nhưng chưa được tiếp nhận. Trạng thái: đang chờ đồng bộ.",
    ),
    ScreenMessage(
        "ho_so_truoc_1_7",
        "onestop",
        "Thông báo",
        "Hồ sơ nộp trước 01/7/2025 thuộc huyện cũ đã kết thúc hoạt động, không thể xử lý tiếp.",
    ),
    ScreenMessage(
        "dvc_toan_trinh_mot_phan",
        "portal",
        "Thông báo",
        "Dịch vụ công một phần: vui lòng mang bản gốc giấy tờ đến nộp trực tiếp.",
    ),
    ScreenMessage(
        "ket_qua_dien_tu",
        "portal",
        "Lỗi",
        "Không tải được kết quả điện tử. Bản điện tử của kết quả chưa được ký số.",
    ),
    ScreenMessage(
        "nhan_qua_buu_chinh", "portal", "Thông báo", "Đăng ký nhận kết quả qua bưu chính không thành công."
    ),
    ScreenMessage(
        "thanh_toan_truc_tuyen",
        "pay",
        "Thanh toán",
        "Không khởi tạo được giao dịch nộp phí, lệ phí trực tuyến. Vui lòng chọn phương thức thanh toán khác.",
    ),
    ScreenMessage(
        "da_tru_tien_chua_cap_nhat",
        "pay",
        "Giao dịch",
        "Tài khoản đã bị trừ tiền nhưng hồ sơ vẫn ở trạng thái chưa thanh toán.",
    ),
    ScreenMessage(
        "le_phi_truc_tuyen", "pay", "Lệ phí", "Mức lệ phí khi nộp trực tuyến không được giảm như thông báo."
    ),
    ScreenMessage(
        "dang_nhap_dvc_vneid",
        "portal",
        "Đăng nhập",
        "Đăng nhập không thành công. Tài khoản định danh điện tử không hợp lệ.",
    ),
    ScreenMessage(
        "tai_khoan_muc_2",
        "vneid",
        "Thông báo",
        "Tài khoản chưa được định danh mức 2. Vui lòng kích hoạt tài khoản định danh điện tử mức độ 2.",
    ),
    ScreenMessage(
        "quen_mat_khau_vneid",
        "vneid",
        "Đăng nhập",
        "Mật khẩu không đúng. Bạn còn 2 lần thử trước khi tài khoản bị khóa.",
    ),
    ScreenMessage(
        "vneid_doi_thiet_bi",
        "vneid",
        "Xác thực thiết bị",
        "Tài khoản đang đăng nhập trên thiết bị khác. Vui lòng xác thực trên thiết bị cũ.",
    ),
    ScreenMessage(
        "khong_nhan_otp", "vneid", "Xác thực OTP", "Mã OTP không hợp lệ hoặc đã hết hạn. Vui lòng gửi lại mã."
    ),
    ScreenMessage(
        "vneid_loi_he_thong", "vneid", "Thông báo", "Hệ thống đang bảo trì. Vui lòng quay lại sau."
    ),
    ScreenMessage(
        "tai_khoan_to_chuc",
        "portal",
        "Đăng nhập",
        "Tài khoản định danh điện tử của tổ chức chưa được kích hoạt.",
    ),
)

# What else is on the screen (menus, form labels): the lines an error-line finder must leave out.
SCREEN_LINES: dict[str, tuple[str, ...]] = {
    "vneid": ("Trang chủ", "Ví giấy tờ", "Thủ tục hành chính", "Thông tin cư trú", "Cài đặt"),
    "portal": ("Giới thiệu", "Thông tin và dịch vụ", "Thanh toán trực tuyến", "Phản ánh kiến nghị", "Hỗ trợ"),
    "onestop": ("Tiếp nhận hồ sơ", "Hồ sơ đang xử lý", "Hồ sơ trễ hạn", "Báo cáo thống kê", "Danh mục"),
    "pay": ("Thông tin hồ sơ", "Phí, lệ phí", "Phương thức thanh toán", "Xác nhận", "Hoàn tất"),
}

HEADERS: dict[str, str] = {
    "vneid": "VNeID",
    "portal": "Cổng Dịch vụ công quốc gia",
    "onestop": "Hệ thống thông tin giải quyết TTHC thành phố Hải Phòng",
    "pay": "Thanh toán trực tuyến",
}

URLS: dict[str, str] = {
    "vneid": "vneid.gov.vn",
    "portal": "dichvucong.gov.vn/p/home/dvc-trang-chu.html",
    "onestop": "motcua.haiphong.gov.vn/tiep-nhan",
    "pay": "dichvucong.gov.vn/p/payment",
}
