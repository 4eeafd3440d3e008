#!/usr/bin/python3
"""gen-lai-vung.py - write the illustrative Lai Vung inventory and its demo wiring.

    /usr/bin/python3 scripts/gen-lai-vung.py [OUTDIR]   (default config/examples/lai-vung)

Writes camwatch.conf, cameras.csv, credentials.ini, demo-fleet.json and demo-onvif.json. The
camera counts per owner are those of report 530/BC-UBND (30 Dec 2020) of Lai Vung district: 63
district police (CAH), 15 Tan Duong, 8 Hoa Thanh, 14 Tan Thanh, 15 Tan Phuoc (commune police)
and 13 the Lai Vung market board. Everything else - names, positions, models, dates, recorders -
is ILLUSTRATIVE: plausible for the district, not a survey of it. The output is the same on
every run (fixed seed, no clock).

Quality classes: [class default] holds the district's minimum for footage to serve as evidence
(640x360, 12 fps, 256 kbps, a keyframe at least every 4 s); [class unlit] marks the few rural
cameras at alleys and ferry landings with no street lighting (UNLIT below), where a dark
picture at night is no fault. They are named in the optional "class" column of cameras.csv.

Demo wiring: every camera is rtsp://127.0.0.1:8554/<id> on the simulated fleet, except a few
that show each failure the daemon must name (see DEMO_* below); demo-fleet.json tells the
fleet which mounts to serve and which need digest auth.

ONVIF: every camera's onvif_url is http://127.0.0.1:8580/<id>/onvif/device_service, one
simulated device per camera (tests/fixtures/onvif_device.py reads demo-onvif.json), whose SOAP
style, make, model, firmware and serial follow the camera's model (ONVIF_MODELS), whose first
profile streams the camera's rtsp_url, and whose clock is right within a second or two (NTP
on), except the ONVIF demo faults (DEMO_CLOCK_*, DEMO_LOW_CONFIG, DEMO_ONVIF_NOT_AUTHORIZED).
The cameras whose RTSP port is refused have their onvif_url on the refused port too.
"""
import csv
import datetime
import io
import json
import os
import random
import sys

SEED = 530  # the report's number; any fixed value keeps the output stable

FLEET_PORT = 8554  # GStreamer RTSP server (tests/fixtures/gst_rtsp_server.py)
SLOW_PORT = 8555  # the demo's slow fault fixture
REFUSED_PORT = 8556  # nothing listens here
ONVIF_PORT = 8580  # the simulated ONVIF devices (tests/fixtures/onvif_device.py)
HOST = "127.0.0.1"

DISTRICT_CRED = {"user": "admin", "password": "camwatch"}
WRONG_PASSWORD = "not-the-password"

DEMO_REFUSED = ["CAH-017", "TT-09", "CHO-11"]  # connection refused
DEMO_MISSING = ["CAH-041", "TP-06"]  # mount not served: 404
DEMO_WRONG_CRED = "HT-05"  # digest-protected mount, wrong password in its credential
DEMO_SLOW = "CAH-052"  # behind the slow fault fixture
DEMO_DIGEST = ["CAH-001", "CAH-002", "CAH-010", "CAH-030", "CAH-058"]  # digest, right password

# ONVIF demo faults (each camera otherwise sound: its RTSP stream is served and right).
DEMO_CLOCK_AHEAD = ["TT-07"]  # clock 83 s ahead, NTP off: degraded "clock 83 s ahead"
DEMO_CLOCK_BEHIND = ["CAH-023"]  # an hour behind, NTP off (WS-Security must still pass)
DEMO_LOW_CONFIG = ["TD-03"]  # installer set 4 fps at 352x288 (CIF); its mount serves that
DEMO_ONVIF_NOT_AUTHORIZED = ["CHO-06"]  # ONVIF refuses our credential: ter:NotAuthorized
# ONVIF over HTTP Digest instead of WS-Security (right password), as some Dahua firmware wants
DEMO_ONVIF_DIGEST = ["CAH-007", "CAH-046", "TD-11", "TP-07", "CHO-01"]
CLOCK_AHEAD_S = 83
CLOCK_BEHIND_S = -3600
LOW_CONFIG = {"width": 352, "height": 288, "fps": 4, "bitrate_kbps": 384, "gov": 4}
# The streamed (first) profile says what the fleet serves (its default 640x360 at 15 fps).
MAIN_PROFILE = {"width": 640, "height": 360, "fps": 15, "bitrate_kbps": 1024, "gov": 15}
SUB_PROFILE = {"width": 320, "height": 180, "fps": 10, "bitrate_kbps": 256, "gov": 20}
ONVIF_SEED = SEED + 1  # its own stream of numbers: cameras.csv does not move when this changes

HEADER = ("id,name,owner,commune,site_kind,address,road,lat,lon,rtsp_url,onvif_url,credential,"
          "model,installed_on,recorder,notes,class").split(",")

# Commune cameras on unlit concrete alleys (đường đal), ferry landings (bến đò) and the river
# road: class "unlit". Every other camera is in the default class (an empty class cell).
UNLIT = ["TD-06", "TD-07", "TT-04", "TT-06", "TT-14", "TP-04", "TP-13"]

OWNERS = [
    ("CAH", "Công an huyện Lai Vung"),
    ("CAX-TD", "Công an xã Tân Dương"),
    ("CAX-HT", "Công an xã Hòa Thành"),
    ("CAX-TT", "Công an xã Tân Thành"),
    ("CAX-TP", "Công an xã Tân Phước"),
    ("BQLC", "Ban quản lý chợ Lai Vung"),
]

# Illustrative commune centres (lat, lon) inside about 10.24-10.33 N, 105.58-105.72 E.
COMMUNES = {
    "Thị trấn Lai Vung": (10.2875, 105.6585),
    "Tân Dương": (10.3040, 105.7000),
    "Hòa Thành": (10.3150, 105.6790),
    "Long Thắng": (10.3060, 105.6550),
    "Vĩnh Thới": (10.3200, 105.6350),
    "Tân Thành": (10.3230, 105.6050),
    "Hòa Long": (10.2960, 105.6220),
    "Long Hậu": (10.2700, 105.6380),
    "Tân Phước": (10.2620, 105.6900),
    "Tân Hòa": (10.2540, 105.6620),
    "Phong Hòa": (10.2470, 105.6250),
    "Định Hòa": (10.2520, 105.5950),
}

# Roads as polylines (lat, lon), east to west or north to south, with the communes they cross.
ROADS = {
    "QL80": [(10.3020, 105.7180), (10.3040, 105.7000), (10.3080, 105.6800),
             (10.3110, 105.6550), (10.3190, 105.6300), (10.3260, 105.5980)],
    "QL54": [(10.3030, 105.6980), (10.2960, 105.6800), (10.2880, 105.6600),
             (10.2720, 105.6450), (10.2560, 105.6300), (10.2450, 105.6150)],
    "ĐT851": [(10.2880, 105.6590), (10.2990, 105.6570), (10.3110, 105.6550)],
    "ĐT852": [(10.2880, 105.6590), (10.2750, 105.6720), (10.2620, 105.6880)],
}

MODELS = [
    "Hikvision DS-2CD1023G0E-I", "Dahua IPC-HFW1230S1", "KBVision KX-2011N2",
    "Hikvision DS-2CD2T21G0-IS", "Dahua IPC-HDW1230T1", "Vantech VP-2391IP",
    "Questek Win-6013IP", "Ezviz C3WN",
]

NOTES = [
    "", "", "", "",
    "Camera giá rẻ, ban đêm hình mờ",
    "Góc quay bị cây che một phần, cần tỉa cây",
    "Nguồn điện chập chờn mùa mưa",
    "Đã thay ống kính năm 2019",
    "Cần nâng cấp lên 2MP",
    "Hay mất kết nối khi trời mưa lớn",
    "Hộp kỹ thuật bị ẩm, cần thay",
]

# (name, commune, road) per camera; positions come from the road or the commune centre.
CAH_SITES = [
    ("Ngã ba QL80 - ĐT851", "Long Thắng", "QL80"),
    ("Ngã tư QL54 - ĐT851 (trung tâm thị trấn)", "Thị trấn Lai Vung", "QL54"),
    ("Cầu Lai Vung đầu phía bắc", "Thị trấn Lai Vung", "QL54"),
    ("Cầu Lai Vung đầu phía nam", "Thị trấn Lai Vung", "QL54"),
    ("Bến xe Lai Vung", "Thị trấn Lai Vung", "QL54"),
    ("Trụ sở Công an huyện - cổng chính", "Thị trấn Lai Vung", "ĐT851"),
    ("UBND huyện Lai Vung", "Thị trấn Lai Vung", "ĐT851"),
    ("Bệnh viện đa khoa huyện Lai Vung", "Thị trấn Lai Vung", "ĐT851"),
    ("Trường THPT Lai Vung 1", "Thị trấn Lai Vung", "ĐT852"),
    ("Ngã ba Tân Dương (QL80 - QL54)", "Tân Dương", "QL80"),
    ("Giáp ranh Sa Đéc - QL80", "Tân Dương", "QL80"),
    ("Cầu Cái Tàu Hạ - QL80", "Tân Dương", "QL80"),
    ("QL80 đoạn qua ấp Hòa Bình", "Hòa Thành", "QL80"),
    ("QL80 đoạn qua chợ Hòa Thành", "Hòa Thành", "QL80"),
    ("Cầu Long Thắng - QL80", "Long Thắng", "QL80"),
    ("QL80 ấp Long Thành", "Long Thắng", "QL80"),
    ("Ngã ba Vĩnh Thới - QL80", "Vĩnh Thới", "QL80"),
    ("Cầu Vĩnh Thới", "Vĩnh Thới", "QL80"),
    ("QL80 đoạn trường tiểu học Vĩnh Thới", "Vĩnh Thới", "QL80"),
    ("Giáp ranh Lấp Vò - QL80", "Tân Thành", "QL80"),
    ("QL80 chợ Tân Thành", "Tân Thành", "QL80"),
    ("Cầu Rạch Chanh - QL80", "Tân Thành", "QL80"),
    ("QL54 ấp Tân Mỹ", "Tân Dương", "QL54"),
    ("QL54 cầu Tân Dương", "Tân Dương", "QL54"),
    ("QL54 đoạn nhà máy gạch", "Thị trấn Lai Vung", "QL54"),
    ("QL54 ngã ba Long Hậu", "Long Hậu", "QL54"),
    ("Cầu Long Hậu - QL54", "Long Hậu", "QL54"),
    ("QL54 chợ Long Hậu", "Long Hậu", "QL54"),
    ("QL54 ấp Long Bình", "Long Hậu", "QL54"),
    ("QL54 cầu Phong Hòa", "Phong Hòa", "QL54"),
    ("QL54 chợ Phong Hòa", "Phong Hòa", "QL54"),
    ("Giáp ranh Bình Minh (Vĩnh Long) - QL54", "Phong Hòa", "QL54"),
    ("Bến đò Phong Hòa", "Phong Hòa", "QL54"),
    ("QL54 trạm y tế Phong Hòa", "Phong Hòa", "QL54"),
    ("ĐT851 cầu Hòa Long", "Long Thắng", "ĐT851"),
    ("ĐT851 ấp Long Thạnh", "Long Thắng", "ĐT851"),
    ("ĐT851 trường THCS Long Thắng", "Long Thắng", "ĐT851"),
    ("ĐT852 ngã ba Tân Hòa", "Tân Hòa", "ĐT852"),
    ("ĐT852 chợ Tân Hòa", "Tân Hòa", "ĐT852"),
    ("ĐT852 cầu Tân Phước", "Tân Phước", "ĐT852"),
    ("ĐT852 vườn quýt hồng Long Hậu", "Long Hậu", "ĐT852"),
    ("Chợ Hòa Long", "Hòa Long", ""),
    ("UBND xã Hòa Long", "Hòa Long", ""),
    ("Giáp ranh Hòa Long - Long Hậu", "Hòa Long", ""),
    ("Bến phà Hòa Long", "Hòa Long", ""),
    ("Chợ Định Hòa", "Định Hòa", ""),
    ("Giáp ranh Định Hòa - Lấp Vò", "Định Hòa", ""),
    ("Cầu Định Hòa", "Định Hòa", ""),
    ("UBND xã Định Hòa", "Định Hòa", ""),
    ("Chợ Vĩnh Thới", "Vĩnh Thới", ""),
    ("Giáp ranh Vĩnh Thới - Tân Thành", "Vĩnh Thới", ""),
    ("Khu công nghiệp Sông Hậu - cổng chính", "Tân Thành", ""),
    ("Khu công nghiệp Sông Hậu - cổng phụ", "Tân Thành", ""),
    ("Cảng Sông Hậu", "Tân Thành", ""),
    ("Trường THPT Lai Vung 2", "Long Hậu", ""),
    ("Trường THPT Phan Văn Bảy", "Tân Hòa", ""),
    ("Nhà văn hóa huyện", "Thị trấn Lai Vung", "ĐT851"),
    ("Công viên thị trấn Lai Vung", "Thị trấn Lai Vung", ""),
    ("Bưu điện huyện Lai Vung", "Thị trấn Lai Vung", "ĐT851"),
    ("Ngân hàng Agribank Lai Vung", "Thị trấn Lai Vung", "QL54"),
    ("Làng nem Lai Vung - đầu làng", "Tân Hòa", ""),
    ("Giáp ranh Tân Phước - Tân Hòa", "Tân Phước", ""),
    ("Giáp ranh Long Thắng - Hòa Thành", "Long Thắng", ""),
]

COMMUNE_SITES = {
    # commune: (owner, id prefix, count, landmarks)
    "Tân Dương": ("CAX-TD", "TD", 15, [
        "UBND xã Tân Dương", "Chợ Tân Dương", "Ngã ba Tân Dương", "Cầu Tân Dương",
        "Trường THCS Tân Dương", "Ấp Tân Lợi - đường đal", "Ấp Tân Mỹ - bến đò",
        "Giáp ranh Tân Dương - Sa Đéc", "Giáp ranh Tân Dương - Hòa Thành",
        "Chùa Phước Hưng", "Trạm y tế xã Tân Dương", "Đường vào ấp Tân Hòa",
        "Cầu Kênh Xáng", "Nhà văn hóa ấp Tân Thuận", "Bến xe khách Tân Dương"]),
    "Hòa Thành": ("CAX-HT", "HT", 8, [
        "UBND xã Hòa Thành", "Chợ Hòa Thành", "Cầu Hòa Thành", "Trường tiểu học Hòa Thành",
        "Ấp Hòa Định - ngã ba", "Giáp ranh Hòa Thành - Tân Dương", "Đình Hòa Thành",
        "Giáp ranh Hòa Thành - Long Thắng"]),
    "Tân Thành": ("CAX-TT", "TT", 14, [
        "UBND xã Tân Thành", "Chợ Tân Thành", "Cầu Tân Thành", "Bến đò Tân Thành",
        "Trường THCS Tân Thành", "Ấp Tân Thuận - đường đal", "Ấp Tân Lộc",
        "Giáp ranh Tân Thành - Lấp Vò", "Giáp ranh Tân Thành - Vĩnh Thới",
        "Khu dân cư Tân Thành", "Trạm y tế xã Tân Thành", "Cầu Rạch Chanh",
        "Nhà văn hóa ấp Tân Phong", "Đường ven sông Hậu"]),
    "Tân Phước": ("CAX-TP", "TP", 15, [
        "UBND xã Tân Phước", "Chợ Tân Phước", "Cầu Tân Phước", "Bến đò Tân Phước",
        "Trường tiểu học Tân Phước", "Ấp Tân Lập - ngã tư", "Ấp Tân Bình",
        "Giáp ranh Tân Phước - Sa Đéc", "Giáp ranh Tân Phước - Tân Hòa",
        "Giáp ranh Tân Phước - Vĩnh Long", "Trạm y tế xã Tân Phước", "Chùa Tân Phước",
        "Đường đal ấp Tân Hưng", "Cầu Kênh Mới", "Nhà văn hóa xã Tân Phước"]),
}

MARKET_SITES = [
    "Chợ Lai Vung cổng chính", "Chợ Lai Vung cổng sau", "Chợ Lai Vung nhà lồng cá",
    "Chợ Lai Vung nhà lồng thịt", "Chợ Lai Vung dãy rau quả", "Chợ Lai Vung dãy quần áo",
    "Chợ Lai Vung bãi giữ xe", "Chợ Lai Vung bến ghe hàng", "Chợ Lai Vung khu ăn uống",
    "Chợ Lai Vung dãy nem Lai Vung", "Chợ Lai Vung đường Nguyễn Văn Linh",
    "Chợ Lai Vung góc đường 3 tháng 2", "Văn phòng Ban quản lý chợ",
]
MARKET_CENTRE = (10.2868, 105.6572)

AP = ["Tân Lợi", "Tân Mỹ", "Hòa Bình", "Long Thành", "Long Bình", "Tân Thuận", "Hòa Định",
      "Tân Lộc", "Tân Bình", "Tân Hưng", "Long Thạnh"]  # villages (ấp) of the communes
KHOM = ["Khóm 1", "Khóm 2", "Khóm 3", "Khóm 4"]  # wards (khóm) of the town


def on_road(rng, road, t):
    """A point at fraction t along road's polyline, a few metres off the centre line."""
    pts = ROADS[road]
    seg = min(int(t * (len(pts) - 1)), len(pts) - 2)
    u = t * (len(pts) - 1) - seg
    (a_lat, a_lon), (b_lat, b_lon) = pts[seg], pts[seg + 1]
    lat = a_lat + (b_lat - a_lat) * u + rng.uniform(-0.0004, 0.0004)
    lon = a_lon + (b_lon - a_lon) * u + rng.uniform(-0.0004, 0.0004)
    return lat, lon


def near(rng, centre, spread):
    return (centre[0] + rng.uniform(-spread, spread), centre[1] + rng.uniform(-spread, spread))


def nearest_t(road, commune):
    """Fraction along road closest to the commune centre, so a camera sits in its commune."""
    c = COMMUNES[commune]
    best, best_d = 0.0, None
    for i in range(101):
        t = i / 100
        pts = ROADS[road]
        seg = min(int(t * (len(pts) - 1)), len(pts) - 2)
        u = t * (len(pts) - 1) - seg
        lat = pts[seg][0] + (pts[seg + 1][0] - pts[seg][0]) * u
        lon = pts[seg][1] + (pts[seg + 1][1] - pts[seg][1]) * u
        d = (lat - c[0]) ** 2 + (lon - c[1]) ** 2
        if best_d is None or d < best_d:
            best, best_d = t, d
    return best


def clamp_box(lat, lon):
    return min(max(lat, 10.241), 10.329), min(max(lon, 105.581), 105.719)


# Per model in MODELS: the SOAP style of onvif_device.py its firmware answers like (Hikvision
# and its Ezviz brand "hik"; Dahua and the Vietnamese OEM brands built on Dahua or XiongMai
# boards "ns", gSOAP's generated prefixes; the older Questek "soap11", SOAP 1.1 and no
# GetServices), what GetDeviceInformation says, and firmware releases as (year, version): a
# camera gets one released no later than it was installed (the first when none was out yet,
# since the models are illustrative). There is no Axis camera in the inventory, so the "axis"
# style is not used here.
ONVIF_MODELS = {
    "Hikvision DS-2CD1023G0E-I": {
        "style": "hik", "media": "both", "manufacturer": "HIKVISION", "model": "DS-2CD1023G0E-I",
        "hardware_id": "88", "serial": "hik",
        "firmware": [(2018, "V5.5.53 build 180522"), (2019, "V5.5.82 build 190909"),
                     (2020, "V5.5.800 build 200603")]},
    "Hikvision DS-2CD2T21G0-IS": {
        "style": "hik", "media": "both", "manufacturer": "HIKVISION", "model": "DS-2CD2T21G0-IS",
        "hardware_id": "88", "serial": "hik",
        "firmware": [(2017, "V5.4.5 build 170124"), (2018, "V5.5.53 build 180522"),
                     (2019, "V5.6.3 build 190923")]},
    "Ezviz C3WN": {
        "style": "hik", "media": "media", "manufacturer": "EZVIZ", "model": "CS-CV310-A0-1B2WFR",
        "hardware_id": "88", "serial": "ezviz",
        "firmware": [(2017, "V5.1.2 build 170601"), (2019, "V5.2.4 build 190305"),
                     (2020, "V5.3.0 build 200401")]},
    "Dahua IPC-HFW1230S1": {
        "style": "ns", "media": "media", "manufacturer": "Dahua", "model": "IPC-HFW1230S1",
        "hardware_id": "1.00", "serial": "dahua",
        "firmware": [(2018, "2.622.0000000.18.R, Build Date 2018-11-21"),
                     (2020, "2.800.0000000.21.R, Build Date 2020-07-15")]},
    "Dahua IPC-HDW1230T1": {
        "style": "ns", "media": "media", "manufacturer": "Dahua", "model": "IPC-HDW1230T1",
        "hardware_id": "1.00", "serial": "dahua",
        "firmware": [(2017, "2.460.0000000.16.R, Build Date 2017-04-08"),
                     (2018, "2.622.0000000.18.R, Build Date 2018-11-21"),
                     (2020, "2.800.0000000.21.R, Build Date 2020-07-15")]},
    "KBVision KX-2011N2": {
        "style": "ns", "media": "media", "manufacturer": "KBVISION", "model": "KX-2011N2",
        "hardware_id": "1.00", "serial": "dahua",
        "firmware": [(2017, "2.460.0000000.7.R, Build Date 2017-06-02"),
                     (2019, "2.622.0000000.9.R, Build Date 2019-03-14")]},
    "Vantech VP-2391IP": {
        "style": "ns", "media": "media", "manufacturer": "VANTECH", "model": "VP-2391IP",
        "hardware_id": "00001", "serial": "xm",
        "firmware": [(2016, "V4.02.R11.00035520.10010.131900.00000"),
                     (2018, "V4.02.R11.00035520.10010.142300.00000")]},
    "Questek Win-6013IP": {
        "style": "soap11", "media": "media", "manufacturer": "QUESTEK", "model": "Win-6013IP",
        "hardware_id": "1.0", "serial": "questek", "services": "capabilities_only",
        "firmware": [(2014, "2.1.6 build 140925"), (2016, "2.4.1 build 160812")]},
}
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def onvif_serial(rng, kind, model, installed_on):
    """A serial number in the maker's format; Hikvision's carries the production date."""
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    if kind == "hik":
        made = datetime.date.fromisoformat(installed_on) - datetime.timedelta(
            days=rng.randint(30, 200))
        return f"{model}{made:%Y%m%d}AAWR{rng.choice('CDEFGJ')}{digits(8)}"
    if kind == "ezviz":
        return rng.choice("CDEFG") + digits(8)
    if kind == "dahua":
        return ("".join(rng.choice(ALNUM) for _ in range(7)) + "PA" + rng.choice("GJKZ")
                + digits(5))
    if kind == "xm":
        return "".join(rng.choice("0123456789abcdef") for _ in range(16))
    return "QTW" + digits(10)


def onvif_devices(rows):
    """demo-onvif.json: one device of tests/fixtures/onvif_device.py per camera."""
    rtsp_faults = set(DEMO_REFUSED) | set(DEMO_MISSING) | {DEMO_SLOW, DEMO_WRONG_CRED}
    for cid in DEMO_CLOCK_AHEAD + DEMO_CLOCK_BEHIND + DEMO_LOW_CONFIG + DEMO_ONVIF_NOT_AUTHORIZED:
        assert cid not in rtsp_faults, cid  # each ONVIF fault on a camera otherwise sound
    rng = random.Random(ONVIF_SEED)
    devices = []
    for r in rows:
        cid, m = r["id"], ONVIF_MODELS[r["model"]]
        year = int(r["installed_on"][:4])
        released = [fw for y, fw in m["firmware"] if y <= year] or [m["firmware"][0][1]]
        # Dahua's profile tokens; the others take the fixture's Profile_1, Profile_2.
        main = {"token": "MediaProfile000"} if m["style"] == "ns" else {}
        sub = {"token": "MediaProfile001"} if m["style"] == "ns" else {}
        main.update(LOW_CONFIG if cid in DEMO_LOW_CONFIG else MAIN_PROFILE,
                    stream_uri=r["rtsp_url"])
        sub.update(SUB_PROFILE, stream_uri=r["rtsp_url"].rsplit("/", 1)[0] + f"/{cid}-sub")
        d = {
            "name": cid, "style": m["style"],
            "username": DISTRICT_CRED["user"], "password": DISTRICT_CRED["password"],
            "auth": "digest" if cid in DEMO_ONVIF_DIGEST else "wsse",
            "clock_offset_s": round(rng.uniform(-1.5, 1.5), 1), "ntp": True, "tz": "ICT-7",
            "manufacturer": m["manufacturer"], "model": m["model"],
            "firmware": rng.choice(released),
            "serial": onvif_serial(rng, m["serial"], m["model"], r["installed_on"]),
            "hardware_id": m["hardware_id"],
            "services": m.get("services", "getservices"), "media": m["media"],
            "profiles": [main, sub], "snapshot": True,
        }
        if cid in DEMO_CLOCK_AHEAD:
            d["clock_offset_s"], d["ntp"] = CLOCK_AHEAD_S, False
        if cid in DEMO_CLOCK_BEHIND:
            d["clock_offset_s"], d["ntp"] = CLOCK_BEHIND_S, False
        if cid in DEMO_ONVIF_NOT_AUTHORIZED:
            d["fault"] = "not_authorized"
        devices.append(d)
    return devices


def camera_rows(rng):
    rows = []

    def add(cid, name, owner, commune, kind, road, pos, recorder, digest_ok=True):
        lat, lon = clamp_box(*pos)
        if commune == "Thị trấn Lai Vung":
            address = f"{rng.choice(KHOM)}, thị trấn Lai Vung"
        else:
            address = f"ấp {rng.choice(AP)}, xã {commune}"
        year = rng.randint(2015, 2020)
        rows.append({
            "id": cid, "name": name, "owner": owner, "commune": commune, "site_kind": kind,
            "address": address, "road": road, "lat": f"{lat:.5f}", "lon": f"{lon:.5f}",
            "rtsp_url": f"rtsp://{HOST}:{FLEET_PORT}/{cid}", "onvif_url": "",
            "credential": "district", "model": rng.choice(MODELS),
            "installed_on": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "recorder": recorder, "notes": rng.choice(NOTES), "class": "",
        })

    road_seen = {}
    for i, (name, commune, road) in enumerate(CAH_SITES, 1):
        if road:
            base = nearest_t(road, commune)
            k = road_seen.get((road, commune), 0)
            road_seen[(road, commune)] = k + 1
            t = min(max(base + rng.uniform(-0.06, 0.06) + 0.02 * k, 0.0), 1.0)
            pos = on_road(rng, road, t)
        else:
            pos = near(rng, COMMUNES[commune], 0.006)
        add(f"CAH-{i:03d}", name, "CAH", commune, "district", road, pos,
            f"NVR-CAH-{(i - 1) // 16 + 1:02d}")
    for commune, (owner, prefix, count, sites) in COMMUNE_SITES.items():
        assert len(sites) == count, commune
        for i, name in enumerate(sites, 1):
            road = "QL80" if "Ngã ba Tân Dương" in name else ""
            add(f"{prefix}-{i:02d}", name, owner, commune, "commune", road,
                near(rng, COMMUNES[commune], 0.007), f"NVR-{prefix}")
    for i, name in enumerate(MARKET_SITES, 1):
        add(f"CHO-{i:02d}", name, "BQLC", "Thị trấn Lai Vung", "market",
            "QL54" if "cổng chính" in name else "", near(rng, MARKET_CENTRE, 0.0006), "NVR-CHO")
    return rows


def apply_classes(rows):
    by_id = {r["id"]: r for r in rows}
    for cid in UNLIT:
        assert by_id[cid]["site_kind"] == "commune", cid
        by_id[cid]["class"] = "unlit"


def apply_demo_wiring(rows):
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["onvif_url"] = f"http://{HOST}:{ONVIF_PORT}/{r['id']}/onvif/device_service"
    for cid in DEMO_REFUSED:
        by_id[cid]["rtsp_url"] = f"rtsp://{HOST}:{REFUSED_PORT}/{cid}"
        by_id[cid]["onvif_url"] = f"http://{HOST}:{REFUSED_PORT}/{cid}/onvif/device_service"
    for cid in DEMO_MISSING:
        by_id[cid]["rtsp_url"] = f"rtsp://{HOST}:{FLEET_PORT}/{cid}-offline"
    by_id[DEMO_WRONG_CRED]["credential"] = "wrong"
    by_id[DEMO_SLOW]["rtsp_url"] = f"rtsp://{HOST}:{SLOW_PORT}/{DEMO_SLOW}"
    skip = set(DEMO_REFUSED) | set(DEMO_MISSING) | {DEMO_SLOW}
    mounts = []
    for r in rows:
        if r["id"] in skip:
            continue
        auth = None
        if r["id"] in DEMO_DIGEST or r["id"] == DEMO_WRONG_CRED:
            auth = dict(DISTRICT_CRED)
        mount = {"path": "/" + r["id"], "auth": auth}
        if r["id"] in DEMO_LOW_CONFIG:  # the stream the installer's configuration gives
            mount.update(width=LOW_CONFIG["width"], height=LOW_CONFIG["height"],
                         fps=LOW_CONFIG["fps"], pattern="smpte100", noise=5)
        mounts.append(mount)
    return {
        "comment": "Demo wiring for the illustrative Lai Vung inventory; generated by "
                   "scripts/gen-lai-vung.py. mounts: served by the fleet on port "
                   f"{FLEET_PORT}; slow: paths behind the slow fault fixture on port "
                   f"{SLOW_PORT}; refused: ids pointed at port {REFUSED_PORT} where nothing "
                   "listens; missing: ids whose mount the fleet does not serve (404). A "
                   "mount without a size is the fleet's default 640x360 at 15 fps.",
        "port": FLEET_PORT, "slow_port": SLOW_PORT, "refused_port": REFUSED_PORT,
        "mounts": mounts,
        "slow": ["/" + DEMO_SLOW],
        "refused": list(DEMO_REFUSED),
        "missing": list(DEMO_MISSING),
        "wrong_password": [DEMO_WRONG_CRED],
    }


def conf_text():
    owners = "\n".join(f"{code} = {name}" for code, name in OWNERS)
    return f"""\
; Lai Vung district (Đồng Tháp) - ILLUSTRATIVE inventory for the demo and the tests.
; Camera counts per owner follow report 530/BC-UBND (30 Dec 2020); names, positions,
; models and dates are made up. Generated by scripts/gen-lai-vung.py: edit that, not this.

[site]
name = Lai Vung
time_zone = Asia/Ho_Chi_Minh
; reports: their language (vi or en) and the body that issues them
language = vi
authority = Công an huyện Lai Vung

[store]
database = var/camwatch.db
; thumbnails, one per camera
cache = var/cache
; raw stream samples kept this long, then hourly
samples_days = 31
; hourly sample rows kept this long, then deleted
hourly_days = 400
; every clock reading kept this long; then the first of each hour and every reading past
; [probe.onvif] max_clock_offset (what an evidence export needs)
clock_days = 31

[inventory]
cameras = cameras.csv
credentials = credentials.ini

[probe.rtsp]
interval = 30s
timeout = 5s
slow = 2s
down_after = 3
up_after = 2
concurrency = 64

[probe.stream]
; a stream sample reads each camera's video for 5 s every 10 min, on 4 worker threads
workers = 4
sample = 5s
interval = 10m
timeout = 15s
thumb_width = 320

; Quality thresholds (a camera below them is degraded, with the reason). The default class
; is the district's minimum for footage to serve as evidence.
[class default]
min_width = 640
min_height = 360
min_fps = 12
min_bitrate_kbps = 256
max_gop = 4s
min_sharpness = 60
min_luma = 40
max_luma = 220
black_spread = 4
frozen_after = 3
moved_distance = 20

; Rural alleys and ferry landings without street lighting: a dark picture at night is
; expected there, not a fault. Everything else as in the default class.
[class unlit]
unlit = yes

; ONVIF: every camera with an onvif_url in cameras.csv is asked for its make, model,
; firmware, serial, services, profiles and clock. The defaults, spelled out.
[probe.onvif]
; between ONVIF probes of one camera
interval = 10m
; one SOAP request
timeout = 5s
; a camera clock further off than this is degraded (0 or off: never)
max_clock_offset = 5s
; ONVIF probes in flight at once
concurrency = 16

[http]
listen = 127.0.0.1:8640
; the API's tokens (camwatch token add): under var/ with the store, which git ignores,
; so a token added to the example never lands in the source tree
tokens = var/tokens.ini

; Footage: the market board's recorder (NVR-CHO) is read as a folder of segment files, one
; folder per camera and day. For the demo, scripts/demo fills it with a few minutes of test
; footage made by ffmpeg (tests/fixtures/footage_tree.py) before camwatchd starts. Evidence
; exports made over the API go to [footage] exports (default var/exports).
[recorder NVR-CHO]
kind = dir
path = var/recorder/NVR-CHO
pattern = {{camera}}/%Y-%m-%d/%H-%M-%S.mp4

; What each action of the maintenance backlog costs, in VND, and where the price comes from
; (a quotation, an approved price list, a contract): ACTION = AMOUNT | SOURCE. These prices
; are ILLUSTRATIVE, for the demo: replace them with the district's own before sending a
; report. An action left out is shown without a price, never as free.
[costs]
restore_link = 500.000 | đơn giá minh họa (demo): kiểm tra, thay bộ nguồn hoặc đầu nối mạng
clean_lens = 200.000 | đơn giá minh họa (demo): nhân công vệ sinh, chỉnh tiêu cự
reaim = 300.000 | đơn giá minh họa (demo): nhân công và xe thang
setup_ntp = 100.000 | đơn giá minh họa (demo): nhân công cấu hình
reconfigure_encoder = 200.000 | đơn giá minh họa (demo): nhân công cấu hình
update_credentials = 100.000 | đơn giá minh họa (demo): nhân công cấu hình
update_firmware = 200.000 | đơn giá minh họa (demo): nhân công cập nhật
repair_ir = 800.000 | đơn giá minh họa (demo): đèn hồng ngoại và nhân công
replace_camera = 3.500.000 | đơn giá minh họa (demo): camera IP 2MP ngoài trời, lắp đặt
replace_disk = 2.500.000 | đơn giá minh họa (demo): ổ cứng 4 TB chuyên dụng ghi hình

; Alerts: who is told when a camera goes down, comes back or flaps, and a daily digest. Off
; until a webhook or a mail relay is named; the demo names none. See README.md, "Alerts".
;[alerts]
;hold = 2m
;webhook = https://chat.example.vn/hooks/T0KEN
;smtp = smtp://mail.laivung.example:587
;smtp_credential = mail
;from = camwatch@laivung.example
;to = it@laivung.example, truc.ban@laivung.example
;digest_at = 07:30

[owners]
{owners}
"""


def credentials_text():
    return f"""\
; Demo credentials for the simulated fleet (keep this file mode 0600).
[district]
username = {DISTRICT_CRED["user"]}
password = {DISTRICT_CRED["password"]}

[wrong]
username = {DISTRICT_CRED["user"]}
password = {WRONG_PASSWORD}
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "config", "examples",
                                                              "lai-vung")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    rows = camera_rows(rng)
    apply_classes(rows)
    fleet = apply_demo_wiring(rows)

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    with open(os.path.join(out, "cameras.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    with open(os.path.join(out, "camwatch.conf"), "w", encoding="utf-8") as f:
        f.write(conf_text())
    path = os.path.join(out, "credentials.ini")
    with open(path, "w", encoding="utf-8") as f:
        f.write(credentials_text())
    os.chmod(path, 0o600)
    with open(os.path.join(out, "demo-fleet.json"), "w", encoding="utf-8") as f:
        json.dump(fleet, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(out, "demo-onvif.json"), "w", encoding="utf-8") as f:
        json.dump(onvif_devices(rows), f, ensure_ascii=False, indent=1)
        f.write("\n")
    counts = {}
    for r in rows:
        counts[r["owner"]] = counts.get(r["owner"], 0) + 1
    print(f"{len(rows)} cameras: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
