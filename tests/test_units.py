"""The 114 units of Hải Phòng and free-text lookup (faq.units)."""

from __future__ import annotations

import pytest

from faq.units import find_units, get_unit, load_former_units, load_units, unit_search_key


def _names(text: str, limit: int = 3) -> list[str]:
    return [unit.full_name for unit, _ in find_units(text, limit)]


def test_load_units() -> None:
    units = load_units()
    assert len(units) == 114
    kinds = [u.kind for u in units]
    assert kinds.count("phường") == 45 and kinds.count("xã") == 67 and kinds.count("đặc khu") == 2
    assert len({u.code for u in units}) == 114
    assert get_unit("11383") is not None and get_unit("11383").full_name == "Phường Lê Chân"  # type: ignore[union-attr]
    assert get_unit("00000") is None


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("le chan", "Phường Lê Chân"),
        ("p. Lê Chân", "Phường Lê Chân"),
        ("phuong le chan", "Phường Lê Chân"),
        ("Phường Lê Chân", "Phường Lê Chân"),
        ("xa an lao", "Xã An Lão"),
        ("cat hai", "Đặc khu Cát Hải"),
        ("dk cat hai", "Đặc khu Cát Hải"),
        ("đặc khu Bạch Long Vĩ", "Đặc khu Bạch Long Vĩ"),
        ("Kiến An", "Phường Kiến An"),
        ("UBND phường Ngô Quyền", "Phường Ngô Quyền"),
        ("le chna", "Phường Lê Chân"),  # typo
        ("lechan", "Phường Lê Chân"),  # missing space
    ],
)
def test_first_result(text: str, first: str) -> None:
    assert _names(text)[0] == first


@pytest.mark.parametrize("text", ["le chan", "p. Lê Chân", "xa an lao", "dk cat hai", "Kiến An"])
def test_exact_match_scores_100(text: str) -> None:
    assert find_units(text)[0][1] == 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quận Lê Chân", {"Phường Lê Chân", "Phường An Biên"}),
        ("huyện Vĩnh Bảo", {"Xã Vĩnh Bảo", "Xã Vĩnh Am", "Xã Vĩnh Hải", "Xã Nguyễn Bỉnh Khiêm"}),
        ("h. Thủy Nguyên", {"Phường Thủy Nguyên", "Phường Bạch Đằng", "Phường Lưu Kiếm"}),
        ("TP Hải Dương", {"Phường Hải Dương"}),
        ("thị trấn Cát Bà", {"Đặc khu Cát Hải"}),
    ],
)
def test_old_names_offer_new_units(text: str, expected: set[str]) -> None:
    names = _names(text, limit=10)
    assert names, text
    assert set(names) & expected
    if len(expected) > 1:
        assert len(names) >= 2  # candidates, not a single guess


def test_old_district_same_name_first() -> None:
    assert _names("huyện Vĩnh Bảo")[0] == "Xã Vĩnh Bảo"
    assert all(score < 100 for _, score in find_units("quận Lê Chân"))


def test_cam_giang_trap() -> None:
    assert _names("Cẩm Giàng")[0] == "Xã Cẩm Giàng"
    assert _names("Cẩm Giang")[0] == "Xã Cẩm Giang"
    both = find_units("cam giang")
    assert {u.name for u, _ in both[:2]} == {"Cẩm Giang", "Cẩm Giàng"}
    assert both[0][1] == both[1][1] == 100  # no diacritics: genuinely ambiguous, offer both


@pytest.mark.parametrize(
    ("text", "first", "other"),
    [
        ("Hưng Đạo", "Phường Hưng Đạo", "Phường Trần Hưng Đạo"),
        ("hung dao", "Phường Hưng Đạo", "Phường Trần Hưng Đạo"),
        ("Đồ Sơn", "Phường Đồ Sơn", "Phường Nam Đồ Sơn"),
        ("Thanh Miện", "Xã Thanh Miện", "Xã Bắc Thanh Miện"),
        ("an phu", "Xã An Phú", "Phường Bắc An Phụ"),
        ("Hải An", "Phường Hải An", None),
        ("An Hải", "Phường An Hải", None),
        ("Trần Hưng Đạo", "Phường Trần Hưng Đạo", None),
        ("Nam Đồ Sơn", "Phường Nam Đồ Sơn", None),
        ("Bắc Thanh Miện", "Xã Bắc Thanh Miện", None),
    ],
)
def test_name_traps(text: str, first: str, other: str | None) -> None:
    names = _names(text)
    assert names[0] == first
    assert find_units(text)[0][1] == 100
    if other:
        assert other in names


def test_an_phu_with_marks_prefers_an_phu_units() -> None:
    # "An Phụ" is also the former phường An Phụ (Kinh Môn), now in phường Trần Liễu; all the
    # An Phụ candidates come before xã An Phú, whose marks differ from the typed ones.
    names = _names("An Phụ", limit=4)
    assert set(names[:3]) == {"Phường Trần Liễu", "Phường Bắc An Phụ", "Xã Nam An Phụ"}
    assert names[3] == "Xã An Phú"


@pytest.mark.parametrize(
    "text", ["Hà Nam", "Hà Đông", "Hòa Bình", "Kinh Môn", "Chí Linh", "An Dương", "Thủy Nguyên"]
)
def test_names_that_are_also_old_places(text: str) -> None:
    assert _names(text)[0].endswith(text)


@pytest.mark.parametrize("text", ["asdf", "???", "", "   ", "hà nội", "xyz 123"])
def test_junk_returns_nothing(text: str) -> None:
    assert find_units(text) == []


def test_limit() -> None:
    assert len(find_units("huyện Thủy Nguyên", limit=10)) == 8
    assert find_units("le chan", limit=0) == []


def test_search_key() -> None:
    assert unit_search_key("P. Lê Chân") == "le chan"
    assert unit_search_key("Đặc khu Cát Hải") == "cat hai"


@pytest.mark.parametrize(
    ("text", "first"),
    [("Kiến Thuỵ", "Xã Kiến Thụy"), ("Hoà Bình", "Phường Hòa Bình"), ("Thuỷ Nguyên", "Phường Thủy Nguyên")],
)
def test_old_tone_placement_is_exact(text: str, first: str) -> None:
    unit, score = find_units(text)[0]
    assert unit.full_name == first and score == 100


@pytest.mark.parametrize("text", ["Hải Phòng", "tp hai phong", "thành phố Hải Phòng"])
def test_city_gives_nothing_misleading(text: str) -> None:
    assert find_units(text) == []


def test_former_units_table() -> None:
    former = load_former_units()
    assert len(former) == 374  # every xã, phường and thị trấn of Hải Phòng and Hải Dương before 1/7/2025
    assert {f.province for f in former} == {"Hải Phòng", "Hải Dương"}
    assert all(f.new_codes and all(get_unit(code) for code in f.new_codes) for f in former)
    tan_lien = [f for f in former if f.name == "Tân Liên"]
    assert [(f.kind, f.district, f.new_codes) for f in tan_lien] == [("xã", "Huyện Vĩnh Bảo", ("11824",))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # merged whole into one new unit: with or without diacritics, prefix, old district
        ("xã Tân Liên", ["Xã Vĩnh Bảo"]),
        ("xa tan lien", ["Xã Vĩnh Bảo"]),
        ("x. tan lien", ["Xã Vĩnh Bảo"]),
        ("Tân Liên", ["Xã Vĩnh Bảo"]),
        ("xã Tân Liên, huyện Vĩnh Bảo", ["Xã Vĩnh Bảo"]),
        ("tan lien h vinh bao cu", ["Xã Vĩnh Bảo"]),
        ("thị trấn Vĩnh Bảo", ["Xã Vĩnh Bảo"]),  # the former town, not the whole district
        ("tt vinh bao", ["Xã Vĩnh Bảo"]),
        ("em ở xã Tân Liên cũ ạ", ["Xã Vĩnh Bảo"]),
        ("xa tan lein", ["Xã Vĩnh Bảo"]),  # typo
        # a former ward divided between two new wards: both, the larger part first
        ("p tran nguyen han", ["Phường Lê Chân", "Phường An Biên"]),
        ("phường Trần Nguyên Hãn quận Lê Chân", ["Phường Lê Chân", "Phường An Biên"]),
        ("P. Trần Nguyên Hãn", ["Phường Lê Chân", "Phường An Biên"]),
        # a Hải Dương commune
        ("xã Thái Dương huyện Bình Giang", ["Xã Thượng Hồng"]),
    ],
)
def test_former_commune_offers_its_new_units(text: str, expected: list[str]) -> None:
    assert _names(text, limit=len(expected)) == expected
    assert all(score < 100 for _, score in find_units(text))  # a candidate to confirm, not a match


def test_former_commune_in_a_message() -> None:
    # the faq-dev line: the unit step gets the whole sentence when the person answers with it
    names = _names("p tran nguyen han q le chan cu h la phuong gi")
    assert names[:2] == ["Phường Lê Chân", "Phường An Biên"]


def test_same_former_name_in_two_districts_offers_all() -> None:
    # xã Hòa Bình of Vĩnh Bảo (→ Nguyễn Bỉnh Khiêm) and of Kim Thành (→ Kim Thành); the new
    # phường Hòa Bình (Thủy Nguyên) is an exact name and stays first.
    names = _names("xã Hòa Bình", limit=5)
    assert names[0] == "Phường Hòa Bình"
    assert {"Xã Nguyễn Bỉnh Khiêm", "Xã Kim Thành"} <= set(names)
    # the old district settles it
    assert _names("xa hoa binh h vinh bao", limit=5) == ["Xã Nguyễn Bỉnh Khiêm"]
    assert _names("xã Hòa Bình huyện Kim Thành", limit=5) == ["Xã Kim Thành"]
    # a wrong district is not a reason to reject: all namesakes again
    assert {"Xã Nguyễn Bỉnh Khiêm", "Xã Kim Thành"} <= set(_names("xã Hòa Bình huyện Tiên Lãng", limit=5))


def test_hai_duong_old_district_offers_its_units() -> None:
    names = _names("huyện Gia Lộc", limit=10)
    assert names[0] == "Xã Gia Lộc"
    assert {"Xã Gia Phúc", "Xã Yết Kiêu", "Xã Trường Tân"} <= set(names)
