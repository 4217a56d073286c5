from insight.pii import mask_pii


def test_masks_email_phone_card_but_not_prices_or_years() -> None:
    text, masked = mask_pii(
        "Mail me at jo.smith+x@cafe.co.uk or call 07700 900123, card 4111 1111 1111 1111"
    )
    assert masked
    assert text == "Mail me at [EMAIL] or call [PHONE], card [CARD]"
    same, masked = mask_pii("We paid £1,200 in 2025 for 3 machines at 9.30 each morning.")
    assert not masked and same == "We paid £1,200 in 2025 for 3 machines at 9.30 each morning."
