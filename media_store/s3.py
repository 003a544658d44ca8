"""Photos in an S3-compatible bucket (AWS S3, Aliyun OSS, MinIO, SeaweedFS) through boto3."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal, TypeVar, cast

import boto3.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
)

from media_store.base import (
    MissingObject,
    StoreError,
    StoreUnavailable,
    check_content_type,
    check_key,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType

_T = TypeVar("_T")
# Keys are content hashes: the bytes under a key never change, so caches may keep them.
CACHE_CONTROL = "public, max-age=31536000, immutable"
_MISSING_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_REFUSED_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden"}
)
_BUSY_CODES = frozenset({"SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError"})


class S3Store:
    """Photos as objects in one bucket; boto3 runs in a small thread pool of its own."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: Literal["path", "virtual"] = "path",
        public_base_url: str | None = None,
        presign_seconds: int = 3600,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        max_attempts: int = 2,
        max_workers: int = 8,
    ) -> None:
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.presign_seconds = presign_seconds
        self._endpoint_url = endpoint_url
        self._access_key_id = access_key_id
        self._secret_access_key = secret_access_key
        self._config = _client_config(
            region, addressing_style, connect_timeout, read_timeout, max_attempts, max_workers
        )
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="s3-store")
        self._client_lock = threading.Lock()
        self._client: S3Client | None = None
        self._closed = False

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Upload the bytes with their content type and a long-lived cache header."""
        check_content_type(key, content_type)
        await self._call(
            lambda s3: s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=CACHE_CONTROL,
            )
        )

    async def get(self, key: str) -> bytes:
        """The stored bytes; MissingObject when there is no such object."""
        check_key(key)
        # The body is read in the worker thread too: reading it is network I/O.
        return await self._call(
            lambda s3: s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        )

    async def delete(self, key: str) -> None:
        """Remove the object; S3 answers success for an absent key as well."""
        check_key(key)
        await self._call(lambda s3: s3.delete_object(Bucket=self.bucket, Key=key))

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""
        check_key(key)
        try:
            await self._call(lambda s3: s3.head_object(Bucket=self.bucket, Key=key))
        except MissingObject:
            return False
        return True

    async def url(self, key: str) -> str:
        """The public URL under public_base_url, else a presigned GET valid for presign_seconds."""
        check_key(key)
        if self.public_base_url is not None:
            return f"{self.public_base_url}/{key}"
        return await self._call(
            lambda s3: s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.presign_seconds,
            )
        )

    async def check(self) -> None:
        """Raise StoreUnavailable unless the bucket answers to these credentials."""
        try:
            await self._call(lambda s3: s3.head_bucket(Bucket=self.bucket))
        except StoreUnavailable:
            raise
        except MissingObject as error:
            raise StoreUnavailable(f"bucket {self.bucket!r} does not exist") from error
        except StoreError as error:
            raise StoreUnavailable(f"bucket {self.bucket!r} is not usable: {error}") from error

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists already (first start, tests)."""
        await self._call(self._ensure_bucket)

    async def close(self) -> None:
        """Wait for calls in flight, then stop the threads and close the connection pool."""
        self._closed = True
        await asyncio.to_thread(self._executor.shutdown, wait=True)
        if self._client is not None:
            self._client.close()

    async def _call(self, work: Callable[[S3Client], _T]) -> _T:
        if self._closed:
            raise StoreError("the S3 store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, work)

    def _run(self, work: Callable[[S3Client], _T]) -> _T:
        try:
            return work(self._client_now())
        except (BotoCoreError, ClientError) as error:
            raise _translate(error) from error

    def _client_now(self) -> S3Client:
        # Creating a client is slow and not thread-safe; using one from many threads is fine.
        with self._client_lock:
            if self._client is None:
                session = boto3.session.Session()
                self._client = session.client(
                    "s3",
                    endpoint_url=self._endpoint_url,
                    aws_access_key_id=self._access_key_id,
                    aws_secret_access_key=self._secret_access_key,
                    config=self._config,
                )
            return self._client

    def _ensure_bucket(self, s3: S3Client) -> None:
        try:
            s3.head_bucket(Bucket=self.bucket)
            return
        except ClientError as error:
            if _error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
        region = s3.meta.region_name
        try:
            if region == "us-east-1":
                s3.create_bucket(Bucket=self.bucket)
            else:
                s3.create_bucket(
                    Bucket=self.bucket,
                    # S3-compatible stores name regions AWS has never heard of.
                    CreateBucketConfiguration={
                        "LocationConstraint": cast("BucketLocationConstraintType", region)
                    },
                )
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass  # created by another process between our two requests


def _client_config(
    region: str,
    addressing_style: Literal["path", "virtual"],
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
    max_workers: int,
) -> Config:
    return Config(
        region_name=region,
        signature_version="s3v4",
        s3={"addressing_style": addressing_style},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # Few attempts and short timeouts: a dead store must fail a request fast, not hang it.
        retries={"max_attempts": max_attempts, "mode": "standard"},
        max_pool_connections=max_workers,
        # Newer botocore adds CRC32 trailers by default, which several S3-compatible
        # stores reject; checksums only where the API demands them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _translate(error: BotoCoreError | ClientError) -> StoreError:
    """One place that decides what a botocore failure means to the caller."""
    if isinstance(error, ConnectionError | HTTPClientError | IncompleteReadError):
        return StoreUnavailable(f"S3 endpoint unreachable: {error}")
    if isinstance(error, NoCredentialsError):
        return StoreError("no S3 credentials: set the access key id and secret access key")
    if not isinstance(error, ClientError):
        return StoreError(f"S3 request failed: {error}")
    code = _error_code(error)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    if code in _MISSING_CODES:
        return MissingObject("no object under that key")
    if code in _REFUSED_CODES or status == 403:
        return StoreError(
            f"S3 refused the request ({code}): check the access key, secret key and bucket policy"
        )
    if status >= 500 or code in _BUSY_CODES:
        return StoreUnavailable(f"S3 is failing ({code or status}): {error}")
    return StoreError(f"S3 request failed ({code or status}): {error}")
