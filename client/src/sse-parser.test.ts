import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser.js";

describe("SseParser", () => {
  it("frames named events with JSON data, ignoring comments", () => {
    const parser = new SseParser();
    const text =
      ': keep-alive\n\nevent: progress\ndata: {"step":1}\n\nevent: status\nid: 7\ndata: {"status":"succeeded"}\n\n';
    expect(parser.push(text)).toEqual([
      { event: "progress", data: '{"step":1}', id: undefined },
      { event: "status", data: '{"status":"succeeded"}', id: "7" },
    ]);
  });

  it("joins data lines, defaults the name to message and carries the last id over", () => {
    const parser = new SseParser();
    expect(parser.push("id: a\ndata: one\ndata:two\n\ndata\n\n")).toEqual([
      { event: "message", data: "one\ntwo", id: "a" },
      { event: "message", data: "", id: "a" },
    ]);
  });

  it("completes a message only at its blank line, across chunks split anywhere, with any line ending", () => {
    const text = "event: status\r\ndata: {}\r\n\r\nevent: progress\rdata: [1]\r\revent: x\ndata: 2\n\n";
    const whole = new SseParser().push(text);
    expect(whole.map((m) => m.event)).toEqual(["status", "progress", "x"]);
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const split = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(split, `split at ${cut}`).toEqual(whole);
    }
  });

  it("holds back a message whose blank line has not arrived, and drops an event with no data", () => {
    const parser = new SseParser();
    expect(parser.push("event: status\ndata: {}\n")).toEqual([]);
    expect(parser.push("\nevent: lonely\n\n")).toEqual([{ event: "status", data: "{}", id: undefined }]);
    expect(parser.push("data: after\n\n")).toEqual([{ event: "message", data: "after", id: undefined }]);
  });
});
