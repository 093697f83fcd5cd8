// Parse an iCalendar file with Mozilla ical.js (Thunderbird's parser) and print what a
// calendar client would show, as JSON: the calendar's properties and every event in UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    transp: component.getFirstPropertyValue("transp"),
    startIsUtc: event.startDate.zone === ICAL.Timezone.utcTimezone,
    allDay: event.startDate.isDate,
    organizer: component.getFirstPropertyValue("organizer"),
    url: component.getFirstPropertyValue("url"),
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    relatedTo: component.getFirstPropertyValue("related-to"),
  };
});
console.log(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    timezone: calendar.getFirstPropertyValue("x-wr-timezone"),
    description: calendar.getFirstPropertyValue("x-wr-caldesc"),
    events,
  }),
);
