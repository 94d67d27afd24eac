package dev.herald.realtime;

import dev.herald.testing.Tier;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tier.Unit
class FramesTest {
    @Test
    void aRecFrameAroundAnEncodedBodyIsTheSameJsonAsOneBuiltFromTheObject() {
        JsonObject body = new JsonObject().put("verb", "destroyed").put("id", 4)
                .put("previous", new JsonObject().put("name", "Pinkie \"Pie\" \u2603").put("toys", new JsonArray().add(1)));

        Buffer spliced = Frames.rec("pony", body.toBuffer());

        assertEquals(new JsonObject(Frames.rec("pony", (Object) body)), new JsonObject(spliced));
        assertEquals(new JsonObject().put("type", "rec").put("address", "pony").put("body", body), new JsonObject(spliced));
    }

    @Test
    void aNotificationFrameCarriesItsPositionAsADecimalStringAndTheBodyAsItIs() {
        JsonObject body = new JsonObject().put("verb", "destroyed").put("id", "e1").put("previous", new JsonObject().put("dis", "s:\u00e9 \"q\""));

        for (int i = 0; i < 2; i++) {
            String frame = Frames.rec("entity", body.toBuffer(), 9_007_199_254_740_993L + i).toString();
            assertEquals("{\"type\":\"rec\",\"address\":\"entity\",\"headers\":{\"seq\":\"" + (9_007_199_254_740_993L + i)
                    + "\"},\"body\":" + body.encode() + "}", frame);
        }
        assertEquals(new JsonObject().put("type", "rec").put("address", "a\"b").put("body", body),
                new JsonObject(Frames.rec("a\"b", body.toBuffer(), 0)), "no position: no headers");
        assertEquals(new JsonObject().put("type", "rec").put("address", "a\"b").put("headers", new JsonObject().put("seq", "7")).put("body", body),
                new JsonObject(Frames.rec("a\"b", body.toBuffer(), 7)));
    }
}
