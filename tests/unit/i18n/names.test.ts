import { describe, expect, it } from "vitest";
import { makeFormatter } from "~/lib/format";

const fa = makeFormatter({ locale: "fa", timeZone: "Asia/Tehran", currency: "IRR" });
const en = makeFormatter({ locale: "en", timeZone: "Asia/Tehran", currency: "IRR" });

describe("bank names", () => {
  it("name an Iranian bank in the reader's language from its code or its stored English name", () => {
    expect(fa.bankName("017")).toBe("بانک ملی ایران");
    expect(fa.bankName("Melli Bank")).toBe("بانک ملی ایران");
    expect(en.bankName("017")).toBe("Melli Bank");
    expect(fa.cardBank("603799")).toBe("بانک ملی ایران");
    expect(fa.cardBank("6104 33")).toBe("بانک ملت");
  });

  it("leave a foreign issuer as stored", () => {
    expect(fa.bankName("Chase")).toBe("Chase");
  });
});

describe("time zone names in sentences", () => {
  it("say the city to a Persian reader and the IANA name to others", () => {
    expect(fa.zoneName()).toBe("تهران");
    expect(fa.zoneName("America/New_York")).toBe("نیویورک");
    expect(fa.zoneName("Pacific/Chatham")).toBe("Pacific/Chatham");
    expect(en.zoneName()).toBe("Asia/Tehran");
  });
});
