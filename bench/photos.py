"""Photos of a place (issue 35's bounds), measured on this machine in one run:

1. a 12-megapixel phone JPEG (4000 x 3000, noisy like a real photo, with EXIF and GPS) is
   processed (decoded at the scale it needs, turned upright, stripped, re-encoded at two
   widths) in a fresh process: its time (bound 1.5 s) and how much that process's peak RSS
   grows (bound 100 MB);
2. the place page with 12 photos against the same page without, through the whole Flask
   stack, in interleaved turns (bound 1.5x; the images themselves are separate requests);
3. a photo revalidated with its ETag (304) against `/healthz`.

    .venv/bin/python bench/photos.py
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import migrate, sqlite_database
from feeds_and_availability import interleaved

RUNS = 25

# Run in a child so its peak RSS is the processing's own.
MAKE = r"""
import io, os, sys
from PIL import Image
# Detail like a photo's: noise at a quarter of the size, scaled up (pure noise would not
# compress like a photo does, and would be larger than any phone's file).
small = Image.frombytes("RGB", (1000, 750), os.urandom(1000 * 750 * 3))
image = small.resize((4000, 3000), Image.Resampling.BILINEAR)
exif = Image.Exif()
exif[0x0112] = 6
exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 5.0, 1.0), 3: "E", 4: (4.0, 28.0, 2.0)})
image.save(sys.argv[1], "JPEG", quality=90, exif=exif.tobytes())
"""

# Run in a process of its own that only reads the file, so its peak RSS is the work's.
CHILD = r"""
import resource, sys, time
from booking.services.photos import process
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
done = process(data)
took = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(data), took, (after - before) / 1024, done.width, done.height)
"""


def processing() -> tuple[int, float, float, int, int]:
    """Bytes in, seconds, RSS growth in MB, and the upright size, from a fresh process."""
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        photo = str(Path(folder) / "phone.jpg")
        subprocess.run([sys.executable, "-c", MAKE, photo], check=True, cwd=root)
        done = subprocess.run(
            [sys.executable, "-c", CHILD, photo],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        )
    size, took, grown, width, height = done.stdout.split()
    return int(size), float(took), float(grown), int(width), int(height)


def pages(url: str) -> tuple[float, float, float, float]:
    """Medians: the place page with and without 12 photos, a photo's 304 and /healthz."""
    from PIL import Image

    from booking import create_app

    migrate(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    from booking.extensions import db
    from booking.models import Account, Place, PlaceHost, Room
    from booking.services.authorization import Actor
    from booking.services.photos import add_photo, photo_urls

    with app.app_context():
        host = Account(name="Host", email="host@example.nl", kind="person")
        found = []
        for slug in ("met-fotos", "zonder-fotos"):
            place = Place(slug=slug, name=slug, kind="huiskamer", opening_hours="24/7", policy={})
            from booking.services.booking.policy import DEFAULT_POLICY

            place.policy = dict(DEFAULT_POLICY)
            db.session.add_all([place, Room(place=place, name="Kamer", capacity=10)])
            db.session.flush()
            db.session.add(PlaceHost(place_id=place.id, account=host))
            found.append(place)
        db.session.commit()
        actor = Actor(host, frozenset({"read", "book", "manage"}))
        for n in range(12):
            out = io.BytesIO()
            Image.new("RGB", (1600, 1200), (n * 20, 90, 120)).save(out, "JPEG")
            add_photo(actor, found[0].id, out.getvalue(), f"Foto {n + 1}")
        db.session.commit()
        first = photo_urls(found[0].photos[0])["large"]
    client = app.test_client()
    tag = client.get(first).headers["ETag"]
    with_photos, without = interleaved(
        RUNS, lambda: client.get("/plekken/met-fotos"), lambda: client.get("/plekken/zonder-fotos")
    )
    revalidated, health = interleaved(
        RUNS,
        lambda: client.get(first, headers={"If-None-Match": tag}),
        lambda: client.get("/healthz"),
    )
    return with_photos, without, revalidated, health


def main() -> None:
    size, took, grown, width, height = processing()
    print(
        f"12-megapixel JPEG ({size / 1e6:.1f} MB, stored on its side, EXIF and GPS): processed in "
        f"{took:.2f} s (bound 1.5 s), peak RSS +{grown:.0f} MB (bound 100 MB), "
        f"kept upright as {width} x {height}"
    )
    with sqlite_database() as url:
        with_photos, without, revalidated, health = pages(url)
    print(
        f"place page: 12 photos {with_photos * 1000:.1f} ms vs none {without * 1000:.1f} ms "
        f"-> ratio {with_photos / without:.2f} (bound 1.5; median of {RUNS} interleaved turns)"
    )
    print(
        f"photo revalidation (304 on its ETag): {revalidated * 1000:.2f} ms vs /healthz "
        f"{health * 1000:.2f} ms -> ratio {revalidated / health:.2f}"
    )


if __name__ == "__main__":
    main()
