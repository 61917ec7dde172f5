"""Badge images: square PNG, JPEG or SVG up to 2 MB; SVG sanitised; stored and served safely."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from badges_ui import images
from tests.ui.builder_posts import builder_post, errors_of, field_value, posted_form, raster
from tests.ui.helpers import htmx, text

EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="64" height="64" viewBox="0 0 64 64" onload="alert(1)">
  <script>alert('svg')</script>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#4f46e5"/></linearGradient></defs>
  <circle cx="32" cy="32" r="30" fill="url(#g)" onclick="steal()" style="stroke:red;fill:url(https://evil.test/x)"/>
  <image href="https://evil.test/tracker.png" width="1" height="1"/>
  <a xlink:href="javascript:alert(2)"><rect width="10" height="10"/></a>
  <use xlink:href="https://evil.test/sprite.svg#icon"/>
  <use href="#g"/>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.test"/></foreignObject>
  <style>@import url(https://evil.test/x.css);</style>
  <text x="4" y="60">Latte</text>
</svg>"""


# --- checking and sanitising ------------------------------------------------------------------


def test_square_png_and_jpeg_images_are_accepted():
    png = images.check_image(raster(128, 128))
    assert (png.extension, png.width, png.height) == ("png", 128, 128)
    jpeg = images.check_image(raster(300, 300, "JPEG"))
    assert jpeg.content_type == "image/jpeg"
    assert png.name == hashlib.sha256(png.content).hexdigest() + ".png"


@pytest.mark.parametrize(
    "data,message",
    [
        (raster(300, 200), "Badge images must be square; this one is 300 × 200."),
        (b"GIF89a" + b"\0" * 40, "Badge images must be PNG, JPEG or SVG files"),
        (b"just some text", "Badge images must be PNG, JPEG or SVG files"),
        (b"\x89PNG\r\n\x1a\n" + b"broken", "The PNG file is damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "at most 2 MB"),
        (b"", "The file is empty."),
        (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"/>', "this one is 100 × 50"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "The SVG has no size to check"),
        (b"<svg><circle/></svg>", "root must be <svg> in the SVG namespace"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="9"', "not well-formed XML"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">&a;</svg>'
            ),
            "DOCTYPE or entities",
        ),
    ],
)
def test_other_files_are_refused_with_the_reason(data, message):
    with pytest.raises(images.ImageRejected) as refused:
        images.check_image(data)
    assert message in str(refused.value)


def test_an_svg_keeps_its_drawing_and_loses_everything_that_runs_or_loads():
    checked = images.check_image(EVIL_SVG)
    svg = checked.content.decode()
    for gone in [
        "script",
        "alert",
        "onload",
        "onclick",
        "evil.test",
        "javascript:",
        "foreignObject",
        "iframe",
        "<image",
        "@import",
        "<style",
    ]:
        assert gone not in svg, gone
    for kept in [
        '<circle cx="32" cy="32" r="30" fill="url(#g)" style="stroke:red"',
        'stop-color="#4f46e5"',
        '<use href="#g"',
        ">Latte</text>",
        'viewBox="0 0 64 64"',
    ]:
        assert kept in svg, kept
    assert svg.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )
    assert (checked.width, checked.height) == (64, 64)
    # The clean copy is itself a valid, square SVG.
    assert images.check_image(checked.content).content == checked.content


def test_an_svg_sized_by_percent_falls_back_to_its_view_box():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" viewBox="0,0,24,24"/>'
    )
    assert images.check_image(svg).width == 24


def test_stored_images_are_named_by_their_content(tmp_path):
    checked = images.check_image(raster(16, 16))
    name = images.store_image(checked, media_root=tmp_path)
    assert images.store_image(checked, media_root=tmp_path) == name  # stored once
    assert images.image_path(name, media_root=tmp_path).read_bytes() == checked.content
    assert images.image_path("../settings.py", media_root=tmp_path) is None
    assert images.image_path("0" * 64 + ".png", media_root=tmp_path) is None  # never stored


# --- uploading in the builder -----------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(marketing, content: bytes, filename: str, **extra):
    data = builder_post(rows={"images": [{"tag": "UN_EARNED", "url": ""}]}, **extra)
    data["_action"] = "upload:images"
    data["images-0-file"] = SimpleUploadedFile(filename, content)
    return marketing.post("/badges/new/", data, headers=htmx("images"))


def test_an_uploaded_image_is_stored_shown_as_a_thumbnail_and_sent_as_an_absolute_url(
    marketing, media
):
    png = raster(200, 200)
    response = upload(marketing, png, "latte-unearned.png")
    assert response.status_code == 200
    name = hashlib.sha256(png).hexdigest() + ".png"
    url = f"http://testserver/media/badge-images/{name}"
    assert field_value(response, "images-0-url") == url
    assert field_value(response, "images-0-name") == "latte-unearned"
    assert f'<img src="{url}"' in response.content.decode()
    assert (media / "badge-images" / name).read_bytes() == png

    served = marketing.get(f"/media/badge-images/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (raster(300, 200), "wide.png", "Badge images must be square; this one is 300 × 200."),
        (b"%PDF-1.7", "flyer.pdf", "Badge images must be PNG, JPEG or SVG files"),
        (
            b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024 + 1),
            "huge.jpg",
            "The file is 2.0 MB; badge images may be at most 2 MB.",
        ),
    ],
)
def test_a_refused_upload_says_why_at_once_and_stores_nothing(
    marketing, media, content, filename, message
):
    response = upload(marketing, content, filename)
    assert response.status_code == 200
    assert message in errors_of(response, "id_images-0-file")
    assert field_value(response, "images-0-url") in (None, "")
    assert not (media / "badge-images").exists() or not list((media / "badge-images").iterdir())
    # Only the file's error shows: the row's other fields wait for publishing.
    assert errors_of(response, "id_images-0-url") == ""


def test_an_uploaded_svg_with_a_script_is_sanitised_and_served_under_a_strict_policy(
    marketing, media
):
    response = upload(marketing, EVIL_SVG, "badge.svg")
    url = field_value(response, "images-0-url")
    name = url.rsplit("/", 1)[1]
    stored = (media / "badge-images" / name).read_bytes()
    assert b"script" not in stored and b"onload" not in stored and b"evil.test" not in stored
    served = marketing.get(f"/media/badge-images/{name}")
    assert served["Content-Type"] == "image/svg+xml"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert (
        served["Content-Security-Policy"]
        == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )


def test_only_images_we_stored_are_served(client, console_api, media):
    assert client.get("/media/badge-images/" + "a" * 64 + ".png").status_code == 404
    assert client.get("/media/badge-images/..%2F..%2Fdb.sqlite3").status_code == 404
    assert client.get("/media/badge-images/notes.txt").status_code == 404


def test_publishing_without_javascript_uploads_the_file_too(marketing, media, api):
    data = builder_post(name="Uploaded on publish", rows={"images": [{"tag": "EARNED", "url": ""}]})
    data["images-0-file"] = SimpleUploadedFile("earned.png", raster(64, 64))
    data["_action"] = "publish"
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 302, text(response)
    _, envelope = api.get("badgeMeta", name="Uploaded on publish")
    (image,) = envelope["data"]["badges"][0]["images"]
    assert re.fullmatch(r"http://testserver/media/badge-images/[0-9a-f]{64}\.png", image["url"])
    assert image["tag"] == "EARNED" and image["name"] == "earned"


def test_an_image_row_needs_a_file_or_an_address(marketing, media):
    data = builder_post(rows={"images": [{"tag": "EARNED", "url": ""}]})
    response = marketing.post("/badges/new/", data)
    assert errors_of(response, "id_images-0-url") == "Upload an image or give its address."
    data["images-0-url"] = "ftp://files.test/x.png"
    response = marketing.post("/badges/new/", data)
    assert "Give a web address starting with https://" in errors_of(response, "id_images-0-url")


def test_a_failed_publish_keeps_the_uploaded_image(marketing, media, api):
    from tests.ui.helpers import create_badge

    create_badge(api, name="Taken name")
    data = builder_post(name="Taken name", rows={"images": [{"tag": "EARNED", "url": ""}]})
    data["images-0-file"] = SimpleUploadedFile("earned.png", raster(32, 32))
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 400
    url = field_value(response, "images-0-url")
    assert url.startswith("http://testserver/media/badge-images/")
    assert posted_form(response)["images-0-url"] == url  # the next post sends it again
