// Read mailed calendar files as two more clients would: Mozilla ical.js (Thunderbird) and
// node-ical (Node.js integrations, Home Assistant's way of reading a calendar). Prints JSON:
// per file, every event each parser saw, with its times in UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import nodeIcal from "node-ical";

const result = {};
for (const path of process.argv.slice(2)) {
  const text = readFileSync(path, "utf8");
  const calendar = new ICAL.Component(ICAL.parse(text));
  const icaljs = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      utc: event.startDate.zone === ICAL.Timezone.utcTimezone,
      allDay: event.startDate.isDate,
      status: component.getFirstPropertyValue("status"),
      sequence: event.sequence,
      organizer: component.getFirstPropertyValue("organizer"),
    };
  });
  const parsed = nodeIcal.sync.parseICS(text);
  const nodeical = Object.values(parsed)
    .filter((item) => item.type === "VEVENT")
    .map((item) => ({
      uid: item.uid,
      start: new Date(item.start).toISOString(),
      end: new Date(item.end).toISOString(),
      allDay: item.datetype === "date",
      status: item.status,
      sequence: Number(item.sequence),
    }));
  result[path] = { icaljs, nodeical };
}
console.log(JSON.stringify(result));
