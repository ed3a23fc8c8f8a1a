# The studio on CPU with the embedded models: no key, no network at run time.
#   docker build -t studio .
#   docker run -p 7860:7860 -v studio-data:/data studio
# The install steps are the Makefile's, in the same order; torch comes from the CPU wheel index.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860 \
    STUDIO_DATA_DIR=/data \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN useradd --create-home --uid 1000 studio \
    && python -m venv /opt/venv \
    && mkdir -p /data && chown studio:studio /data

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements/ requirements/
RUN pip install -q --upgrade pip \
    && pip install -q --index-url https://download.pytorch.org/whl/cpu -r requirements/torch.txt \
    && pip install -q -r requirements/base.txt -r requirements/test.txt \
    && pip install -q --no-deps -r requirements/nodeps.txt

COPY . .
RUN pip install -q --no-deps -e . && chown -R studio:studio /app

USER studio
VOLUME ["/data"]
EXPOSE 7860
CMD ["python", "app.py"]
