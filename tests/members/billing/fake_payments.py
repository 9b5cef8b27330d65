"""The fake Stripe's card payments of invoices and the refunds of them: what Stripe holds
once an invoice is paid (fake_stripe.FakeStripe takes this in).

Since API version 2025-03-31 a charge no longer names its invoice: invoice payments link
an invoice to the payment intent that paid it, and refunds are listed by payment intent.
"""

import copy
import time

from tests.members.billing.stripe_examples import fixture, stripe_id


class FakePayments:
    """Routes and test helpers for charges, invoice payments and refunds. The stores
    (`invoices`, `charges`, `refunds`, `invoice_payments`) are FakeStripe's."""

    @staticmethod
    def _list(url: str, data: list) -> dict:
        return {"object": "list", "url": url, "has_more": False, "data": data}

    def _list_invoice_payments(self, params):
        intent = (params.get("payment") or {}).get("payment_intent")
        found = [
            payment
            for payment in self.invoice_payments
            if payment["invoice"] == params.get("invoice", payment["invoice"])
            and payment["payment"]["payment_intent"]
            == (intent or payment["payment"]["payment_intent"])
        ]
        return 200, self._list("/v1/invoice_payments", found)

    def _list_refunds(self, params):
        found = [
            refund
            for refund in self.refunds.values()
            if refund["payment_intent"] == params.get("payment_intent", refund["payment_intent"])
            and refund["charge"] == params.get("charge", refund["charge"])
        ]
        # Newest first, as Stripe lists them.
        found.sort(key=lambda refund: refund["created"], reverse=True)
        return 200, self._list("/v1/refunds", found)

    def pay_by_card(self, invoice_id: str) -> dict:
        """The invoice paid by card: its payment intent and charge, linked to it by an
        invoice payment. Returns the charge."""
        invoice = self.invoices[invoice_id]
        now = int(time.time())
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        intent_id = stripe_id("pi")
        charge = fixture("charge")
        charge.update(
            id=stripe_id("ch"),
            amount=invoice["amount_due"],
            amount_captured=invoice["amount_due"],
            captured=True,
            currency="gbp",
            customer=invoice["customer"],
            description="Subscription creation",
            payment_intent=intent_id,
            created=now,
        )
        charge["billing_details"]["name"] = invoice.get("customer_name")
        # API version 2025-03-31 took the invoice off the charge; its payments link them.
        charge.pop("invoice", None)
        charge["refunds"].update(data=[], url=f"/v1/charges/{charge['id']}/refunds")
        self.charges[charge["id"]] = charge
        self.invoice_payments.append(
            {
                "id": stripe_id("inpay"),
                "object": "invoice_payment",
                "amount_paid": invoice["amount_due"],
                "amount_requested": invoice["amount_due"],
                "currency": "gbp",
                "invoice": invoice_id,
                "is_default": True,
                "livemode": False,
                "payment": {"type": "payment_intent", "payment_intent": intent_id},
                "status": "paid",
                "created": now,
            }
        )
        return charge

    def refund(
        self,
        charge_id: str,
        *,
        amount: int | None = None,
        status: str = "succeeded",
        at: int | None = None,
    ) -> dict:
        """Staff refund (part of) a charge in Stripe. Returns the refund; the charge's
        `amount_refunded` and `refunds` follow, as Stripe keeps them."""
        charge = self.charges[charge_id]
        refund = fixture("refund")
        refund.update(
            id=stripe_id("re"),
            amount=charge["amount"] - charge["amount_refunded"] if amount is None else amount,
            charge=charge_id,
            payment_intent=charge["payment_intent"],
            currency="gbp",
            status=status,
            created=at or int(time.time()),
            reason="requested_by_customer",
        )
        self.refunds[refund["id"]] = refund
        self._charge_refunds(charge_id)
        return refund

    def set_refund(self, refund_id: str, *, status: str) -> dict:
        """A refund's status changes (a refund to a closed card account fails, say)."""
        refund = self.refunds[refund_id]
        refund["status"] = status
        self._charge_refunds(refund["charge"])
        return refund

    def _charge_refunds(self, charge_id: str) -> None:
        charge = self.charges[charge_id]
        refunds = [refund for refund in self.refunds.values() if refund["charge"] == charge_id]
        charge["refunds"]["data"] = copy.deepcopy(refunds)
        charge["amount_refunded"] = sum(
            refund["amount"] for refund in refunds if refund["status"] not in ("failed", "canceled")
        )
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
