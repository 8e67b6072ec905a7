# opencraft_ops: one image for web (gunicorn), worker and beat (Celery); compose.yaml runs them.
# Pinned base, dependencies pinned in requirements.txt, runs as an unprivileged user,
# static files collected (hashed and compressed by whitenoise) at build time.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

COPY requirements.txt .
RUN pip install --no-compile -r requirements.txt

COPY --chown=app:app . .

# collectstatic reads the settings, which refuse to load without production values:
# these exist for this one build step only and are never in the running containers.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --no-input \
    && rm -f /tmp/build.sqlite3

USER app

EXPOSE 8000
CMD ["gunicorn", "opencraft_ops.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
