/**
 * The multipart-upload calls: create, upload a part, list the parts,
 * complete, abort.
 *
 * @module
 */

import { xmlElements, xmlText } from "./_xml.ts";
import type { S3Client } from "./s3_client.ts";
import { unquote } from "./s3_client.ts";
import { s3ErrorCode, S3RequestError } from "./s3_errors.ts";

/** A part the store holds. */
export interface UploadedPart {
  /** Its number, from 1. */
  number: number;
  /** Its size in bytes. */
  size: number;
  /** Its ETag, without quotes. */
  etag: string;
}

/**
 * Starts a multipart upload (CreateMultipartUpload).
 *
 * @param client The client.
 * @param key The key the object will have.
 * @param headers Its metadata and content type.
 * @returns The upload id.
 */
export async function createMultipartUpload(
  client: S3Client,
  key: string,
  headers: Record<string, string>,
): Promise<string> {
  const response = await client.send("POST", key, { query: { uploads: "" }, headers });
  const id = xmlText(await response.text(), "UploadId");
  if (id === undefined || id === "") {
    throw new S3RequestError("POST", key, response.status, "MissingUploadId");
  }
  return id;
}

/**
 * Sends one part (UploadPart). With `sign`, its SHA-256 is signed, so the
 * store refuses a part damaged on the way.
 *
 * @param client The client.
 * @param key The object's key.
 * @param uploadId The upload id.
 * @param number The part number, from 1.
 * @param body The bytes.
 * @param sign Sign the part's SHA-256 (`UNSIGNED-PAYLOAD` otherwise).
 * @returns The part's ETag, without quotes.
 */
export async function uploadPart(
  client: S3Client,
  key: string,
  uploadId: string,
  number: number,
  body: Uint8Array,
  sign: boolean,
): Promise<string> {
  const response = await client.send("PUT", key, {
    query: { partNumber: String(number), uploadId },
    body,
    signBody: sign,
    timeoutMs: 600_000,
  });
  await response.body?.cancel();
  return unquote(response.headers.get("etag") ?? "");
}

/**
 * Lists every part of an upload (ListParts, all pages).
 *
 * @param client The client.
 * @param key The object's key.
 * @param uploadId The upload id.
 * @returns The parts by number, or `undefined` when the upload is gone.
 */
export async function listParts(
  client: S3Client,
  key: string,
  uploadId: string,
): Promise<Map<number, UploadedPart> | undefined> {
  const parts = new Map<number, UploadedPart>();
  let marker: string | undefined;
  do {
    const query: Record<string, string> = { uploadId, "max-parts": "1000" };
    if (marker !== undefined) query["part-number-marker"] = marker;
    const response = await client.send("GET", key, { query, accept: [404] });
    const xml = await response.text();
    if (response.status === 404) return undefined;
    for (const block of xmlElements(xml, "Part")) {
      const number = Number(xmlText(block, "PartNumber"));
      const size = Number(xmlText(block, "Size"));
      parts.set(number, { number, size, etag: unquote(xmlText(block, "ETag") ?? "") });
    }
    marker = xmlText(xml, "IsTruncated") === "true"
      ? xmlText(xml, "NextPartNumberMarker")
      : undefined;
  } while (marker !== undefined);
  return parts;
}

/**
 * Completes an upload (CompleteMultipartUpload): the object appears whole,
 * atomically.
 *
 * @param client The client.
 * @param key The object's key.
 * @param uploadId The upload id.
 * @param parts Every part, in order.
 * @returns The object's ETag, without quotes.
 */
export async function completeMultipartUpload(
  client: S3Client,
  key: string,
  uploadId: string,
  parts: readonly UploadedPart[],
): Promise<string> {
  const body = `<CompleteMultipartUpload>${
    parts.map((part) =>
      `<Part><PartNumber>${part.number}</PartNumber><ETag>"${part.etag}"</ETag></Part>`
    ).join("")
  }</CompleteMultipartUpload>`;
  const response = await client.send("POST", key, {
    query: { uploadId },
    headers: { "content-type": "application/xml" },
    body,
    signBody: true,
    timeoutMs: 600_000,
  });
  // The store may fail after sending 200 (it keeps the connection alive
  // while it assembles): the error is then in the body.
  const text = await response.text();
  if (text.includes("<Error>")) {
    throw new S3RequestError("POST", key, 500, s3ErrorCode(text));
  }
  return unquote(xmlText(text, "ETag") ?? "");
}

/**
 * Abandons an upload and frees its parts (AbortMultipartUpload); an upload
 * that is already gone is fine.
 *
 * @param client The client.
 * @param key The object's key.
 * @param uploadId The upload id.
 */
export async function abortMultipartUpload(
  client: S3Client,
  key: string,
  uploadId: string,
): Promise<void> {
  const response = await client.send("DELETE", key, { query: { uploadId }, accept: [404] });
  await response.body?.cancel();
}
