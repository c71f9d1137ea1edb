/**
 * The Claude Code plugin's icon, .claude-plugin/icon.png: cafleet's main-vertical layout (the
 * Director's full-height pane on the left, two members stacked on the right, each with a few
 * lines of terminal text) on a rounded dark square. Drawn by plain code and written as an RGBA
 * PNG through zlib, so the picture has a source and no image tool is needed. The PNG is committed;
 * test/docs/skills-format.test.ts checks that it is what this script draws.
 *
 * bun run scripts/icon.ts: writes .claude-plugin/icon.png.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

export const ICON_SIZE = 512;
export const ICON_PATH = join(import.meta.dir, "../.claude-plugin/icon.png");

type Rgb = readonly [number, number, number];
type Box = { x0: number; y0: number; x1: number; y1: number; radius: number; color: Rgb };

const BACKGROUND: Box = { x0: 0, y0: 0, x1: 512, y1: 512, radius: 104, color: [15, 23, 42] };
const TEXT: Rgb = [241, 245, 249];

function pane(x0: number, y0: number, x1: number, y1: number, color: Rgb): Box {
  return { x0, y0, x1, y1, radius: 30, color };
}

/** A line of terminal text: a white bar `width` long at (x, y) inside a pane. */
function textLine(x: number, y: number, width: number): Box {
  return { x0: x, y0: y, x1: x + width, y1: y + 22, radius: 11, color: TEXT };
}

/** Painted in order, each over the ones before. */
const SHAPES: readonly Box[] = [
  BACKGROUND,
  pane(60, 60, 246, 452, [20, 184, 166]),
  pane(266, 60, 452, 246, [56, 189, 248]),
  pane(266, 266, 452, 452, [167, 139, 250]),
  textLine(92, 96, 110),
  textLine(92, 138, 78),
  textLine(92, 180, 122),
  textLine(298, 96, 90),
  textLine(298, 138, 60),
  textLine(298, 302, 100),
  textLine(298, 344, 70),
];

/** Signed distance from (x, y) to a rounded box: negative inside. */
function distance(box: Box, x: number, y: number): number {
  const halfWidth = (box.x1 - box.x0) / 2;
  const halfHeight = (box.y1 - box.y0) / 2;
  const qx = Math.abs(x - (box.x0 + halfWidth)) - (halfWidth - box.radius);
  const qy = Math.abs(y - (box.y0 + halfHeight)) - (halfHeight - box.radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - box.radius;
}

/** The colour at one sample point, or null where nothing is drawn (transparent). */
function sample(x: number, y: number): Rgb | null {
  let color: Rgb | null = null;
  for (const shape of SHAPES) if (distance(shape, x, y) <= 0) color = shape.color;
  return color;
}

/** RGBA pixels, each the average of a 4×4 grid of samples so that edges are smooth. */
export function drawIcon(): Uint8Array {
  const size = ICON_SIZE;
  const grid = 4;
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < grid; sy++)
        for (let sx = 0; sx < grid; sx++) {
          const color = sample(px + (sx + 0.5) / grid, py + (sy + 0.5) / grid);
          if (color === null) continue;
          covered++;
          for (let channel = 0; channel < 3; channel++) sum[channel]! += color[channel]!;
        }
      const offset = (py * size + px) * 4;
      if (covered === 0) continue;
      for (let channel = 0; channel < 3; channel++)
        pixels[offset + channel] = Math.round(sum[channel]! / covered);
      pixels[offset + 3] = Math.round((covered * 255) / (grid * grid));
    }
  return pixels;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = new Uint8Array(4 + data.length);
  typeAndData.set(new TextEncoder().encode(type));
  typeAndData.set(data, 4);
  const out = new Uint8Array(4 + typeAndData.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typeAndData, 4);
  view.setUint32(8 + data.length, Bun.hash.crc32(typeAndData));
  return out;
}

/** An 8-bit RGBA PNG: signature, IHDR, one IDAT of zlib-deflated rows (filter 0), IEND. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = new Uint8Array(height * (1 + width * 4));
  for (let y = 0; y < height; y++)
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  const signature = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    png.set(part, at);
    at += part.length;
  }
  return png;
}

export function iconPng(): Uint8Array {
  return encodePng(ICON_SIZE, ICON_SIZE, drawIcon());
}

if (import.meta.main) {
  writeFileSync(ICON_PATH, iconPng());
  console.log(`wrote ${ICON_PATH}`);
}
