package dev.herald.haystack.value;

/** A geographic coordinate in decimal degrees. */
public record Coord(double lat, double lng) implements HaystackValue {

    public Coord {
        if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) {
            throw new IllegalArgumentException("coordinate out of range: " + lat + "," + lng);
        }
        lat = lat + 0.0;
        lng = lng + 0.0;
    }
}
