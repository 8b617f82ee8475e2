"""Sealing signed agreements (PAdES, with pyHanko) and checking that a PDF is one this service sealed and
that nothing in it has changed since.

The seal is the deployment's certificate and key (IAG_SEAL_CERT, IAG_SEAL_KEY; PEM files). `make run` and
`flask make-seal-certificate` create a self-signed one for trying the service; a force should use a
certificate from its own PKI so that readers such as Adobe Acrobat also show who sealed it.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

T = TypeVar("T")
FIELD = "IAGSeal"


def make_certificate(key_path: Path, cert_path: Path, organisation: str) -> None:
    """A self-signed seal certificate (RSA 2048, ten years), for demonstrations and tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} IAG Membership seal (demo)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


class SealUnavailable(Exception):
    """No usable seal certificate is configured."""


@cache
def _signer(key_path: str, cert_path: str, password: str | None):
    from pyhanko.sign import signers

    if not (Path(key_path).exists() and Path(cert_path).exists()):
        raise SealUnavailable(
            f"No seal certificate at {cert_path} (and key at {key_path}): set IAG_SEAL_CERT and "
            "IAG_SEAL_KEY, or run `flask --app webapp make-seal-certificate` for a demonstration one."
        )
    return signers.SimpleSigner.load(
        key_path, cert_path, key_passphrase=password.encode() if password else None
    )


@dataclass(frozen=True)
class SealSettings:
    key_path: str
    cert_path: str
    password: str | None = None

    def signer(self):
        return _signer(self.key_path, self.cert_path, self.password)


def _outside_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's blocking API runs its own event loop (asyncio.run), which cannot start inside a running
    one (an async server, or a test process driving a browser): then the work runs on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def seal(pdf: bytes, settings: SealSettings, reason: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return _outside_event_loop(
        lambda: signers.sign_pdf(writer, metadata, signer=settings.signer()).getvalue()
    )


@dataclass(frozen=True)
class Verdict:
    sealed_here: bool  # sealed with this service's certificate, and unchanged since
    summary: str | LazyString  # in the language of the page asking


def verify(data: bytes, settings: SealSettings) -> Verdict:
    """Whether `data` is a PDF sealed by this service and unaltered. Never raises for bad input."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    raw = Path(settings.cert_path).read_bytes()
    ours = asn1_x509.Certificate.load(pem.unarmor(raw)[2] if pem.detect(raw) else raw)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return Verdict(False, _l("This file is not a PDF, or it is damaged."))
    if not signatures:
        return Verdict(False, _l("This PDF has no seal: it was not sealed by this service."))
    try:
        context = ValidationContext(trust_roots=[ours])
        status = _outside_event_loop(lambda: validate_pdf_signature(signatures[0], context))
    except Exception:
        return Verdict(False, _l("The seal on this PDF is damaged: the file has been altered."))
    if status.signing_cert.sha256 != ours.sha256:
        return Verdict(False, _l("This PDF was sealed by someone else, not by this service."))
    if not (status.intact and status.valid):
        return Verdict(False, _l("This PDF has been altered since it was sealed."))
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        return Verdict(False, _l("Something has been added to this PDF since it was sealed."))
    return Verdict(True, _l("This is an unaltered agreement sealed by this service."))
