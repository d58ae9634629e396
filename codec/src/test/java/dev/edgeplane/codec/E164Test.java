package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E164Test
{
    @Test
    void shouldTreatPlusAndBareDigitsAsTheSameNumber()
    {
        assertEquals("12025550123", E164.digits("+12025550123"));
        assertEquals("12025550123", E164.digits("12025550123"));
    }

    @Test
    void shouldStripVisualSeparators()
    {
        assertEquals("12025550123", E164.digits("+1 (202) 555-0123"));
        assertEquals("12025550123", E164.digits("1.202.555.0123"));
        assertEquals("12025550123", E164.digits(" +1 202 555 0123 "));
    }

    @Test
    void shouldTakeNumberFromTelAndSipUris()
    {
        assertEquals("12025550123", E164.digits("tel:+1-202-555-0123"));
        assertEquals("12025550123", E164.digits("TEL:+12025550123"));
        assertEquals("12025550123", E164.digits("sip:+12025550123@gw.example.net"));
        assertEquals("12025550123", E164.digits("sips:12025550123@gw.example.net:5061;user=phone"));
        assertEquals("1001", E164.digits("SIP:1001@acme.sip.io"));
    }

    @Test
    void shouldRejectAnythingElse()
    {
        assertNull(E164.digits(null));
        assertNull(E164.digits(""));
        assertNull(E164.digits("+"));
        assertNull(E164.digits(" - "));
        assertNull(E164.digits("1202555012a"));
        assertNull(E164.digits("1+2025550123"));
        assertNull(E164.digits("++12025550123"));
        assertNull(E164.digits("sip:gw.example.net"));
        assertNull(E164.digits("sip:alice@acme.sip.io"));
        assertNull(E164.digits("sip:+1202;npdi@host"));
        assertNull(E164.digits("tel:+12025550123;phone-context=example.com"));
        assertNull(E164.digits("mailto:12025550123"));
        assertNull(E164.digits("\uff11\uff12\uff13"));
        assertNull(E164.digits("12025550123\u0000"));
    }

    @Test
    void shouldAllowAtMostFifteenDigits()
    {
        assertEquals("123456789012345", E164.digits("+123456789012345"));
        assertNull(E164.digits("+1234567890123456"));
        assertNull(E164.digits("sip:1234567890123456@host"));
    }

    @Test
    void shouldTellPstnNumbersFromExtensions()
    {
        assertTrue(E164.isPstn("12025550123"));
        assertTrue(E164.isPstn("5550123"));
        assertTrue(E164.isPstn("123456789012345"));
        assertFalse(E164.isPstn("1001"));
        assertFalse(E164.isPstn("555012"));
        assertFalse(E164.isPstn("1234567890123456"));
        assertFalse(E164.isPstn("+12025550123"));
        assertFalse(E164.isPstn(null));
    }
}
