/* rom_timer.S - reset-vector boot and interrupt-driven devices, as a real-mode
 * ROM: the CPU starts at F000:FFF0, the ROM programs both 8259s and the 8254
 * (100 Hz), enables the RTC's update-ended interrupt (MC146818A reg. B UIE)
 * and COM1's THRE interrupt (PC16550D IER bit 1, MCR OUT2 gates IRQ 4), then
 * waits with sti/hlt and reports through port 0xE9 and the exit port 0xF4. */
    .code16
    .set TICKS, 0x500                   /* RAM counters (DS = 0) */
    .set UPDATES, 0x502
    .set FAILS, 0x504
    .set THRE_IIR, 0x506
    .set T1, 0x508
    .set SEC0, 0x50A

    .text
rom_start:
    cli
    xor  %ax, %ax
    mov  %ax, %ds
    mov  %ax, %ss
    mov  $0x7000, %sp
    movw $0, TICKS
    movw $0, UPDATES
    movw $0, FAILS
    movw $0xFFFF, THRE_IIR
    mov  $1, %al
    mov  $n_reset, %si
    call report
    call setup_ivt
    call apic_off
    call setup_pic
    call setup_pit
    call check_irq_delivery
    jnz  finish
    call check_uart_thre
    call check_ticks
    call check_rtc_rate
    jmp  finish

setup_ivt:
    movw $ud_skip, 0x06*4
    movw $0xF000, 0x06*4+2
    movw $irq0, 0x08*4
    movw $0xF000, 0x08*4+2
    movw $irq4, 0x0C*4
    movw $0xF000, 0x0C*4+2
    movw $irq8, 0x70*4
    movw $0xF000, 0x70*4+2
    ret

/* After reset the local APIC (where there is one) masks LINT0, so the 8259's
 * INTR never reaches the core (SDM Vol. 3 sec. 10.4.7.1 and 10.5.1): turn the
 * APIC off in IA32_APIC_BASE (bit 11) to wire the 8259 straight to INTR.  A
 * machine without MSRs raises #UD, which ud_skip steps over. */
apic_off:
    mov  $0x1B, %ecx
    rdmsr
    and  $~0x800, %eax
    wrmsr
    ret

/* #UD on a 2-byte rdmsr/wrmsr: return past it. */
ud_skip:
    push %bp
    mov  %sp, %bp
    addw $2, 2(%bp)
    pop  %bp
    iret

/* ICW1 edge/cascade/ICW4, ICW2 vector base 08h/70h, ICW3, ICW4 8086 mode. */
setup_pic:
    mov  $0x11, %al; outb %al, $0x20; outb %al, $0xA0
    mov  $0x08, %al; outb %al, $0x21
    mov  $0x70, %al; outb %al, $0xA1
    mov  $0x04, %al; outb %al, $0x21
    mov  $0x02, %al; outb %al, $0xA1
    mov  $0x01, %al; outb %al, $0x21; outb %al, $0xA1
    mov  $0xEA, %al; outb %al, $0x21    /* IRQ 0, 2, 4 open */
    mov  $0xFE, %al; outb %al, $0xA1    /* IRQ 8 open */
    ret

/* Channel 0, mode 2, 11932 ticks of 1.193182 MHz: 100 Hz. */
setup_pit:
    mov  $0x34, %al; outb %al, $0x43
    mov  $11932 & 0xFF, %al; outb %al, $0x40
    mov  $11932 >> 8, %al; outb %al, $0x40
    ret

/* IRQ 0 reaches the core: with IF = 1, IRQ 0 either runs irq0 (TICKS moves)
 * or sits in IRR undelivered; 2000 reads of IRR bit 0 set is "never". ZF=1:
 * delivered. */
check_irq_delivery:
    xor  %bx, %bx
    sti
1:  cmpw $0, TICKS
    jne  2f
    mov  $0x0A, %al; outb %al, $0x20; inb $0x20, %al
    test $1, %al
    jz   1b
    inc  %bx
    cmp  $2000, %bx
    jb   1b
2:  cli
    cmpw $0, TICKS
    setne %al
    mov  $n_deliv, %si
    call report
    cmpw $0, TICKS
    jne  3f
    mov  $1, %al
    test %al, %al
    ret
3:  xor  %ax, %ax
    ret

/* Enabling ETBEI with THR empty raises IRQ 4 at once; the handler keeps IIR. */
check_uart_thre:
    mov  $0x3FC, %dx; mov $0x08, %al; outb %al, %dx     /* MCR: OUT2 */
    mov  $0x3F9, %dx; mov $0x02, %al; outb %al, %dx     /* IER: THRE */
    sti
    mov  $5, %cx
1:  cmpw $0xFFFF, THRE_IIR
    jne  2f
    hlt
    loop 1b
2:  cli
    mov  THRE_IIR, %ax
    cmp  $0x02, %al
    sete %al
    mov  $n_thre, %si
    jmp  report

/* 20 periodic interrupts through hlt, and none while IF = 0. */
check_ticks:
    movw $0, TICKS
    sti
1:  hlt
    cmpw $20, TICKS
    jb   1b
    cli
    mov  TICKS, %bx
    mov  $0x8000, %cx
2:  loop 2b
    cmp  TICKS, %bx
    sete %al
    mov  $n_ticks, %si
    jmp  report

/* PIT ticks between two RTC update-ended interrupts: one second, 100 +- 2. */
check_rtc_rate:
    mov  $0x0C, %al; outb %al, $0x70; inb $0x71, %al      /* clear reg C */
    mov  $0x00, %al; outb %al, $0x70; inb $0x71, %al
    mov  %al, SEC0
    mov  $0x0B, %al; outb %al, $0x70; inb $0x71, %al
    or   $0x10, %al; mov %al, %ah
    mov  $0x0B, %al; outb %al, $0x70; mov %ah, %al; outb %al, $0x71
    movw $0, UPDATES
    sti
1:  hlt
    cmpw $1, UPDATES
    jb   1b
    mov  TICKS, %ax
    mov  %ax, T1
2:  hlt
    cmpw $2, UPDATES
    jb   2b
    cli
    mov  TICKS, %ax
    sub  T1, %ax
    sub  $98, %ax
    cmp  $5, %ax
    setb %al
    mov  $n_rate, %si
    call report
    mov  $0x00, %al; outb %al, $0x70; inb $0x71, %al
    cmp  SEC0, %al
    setne %al
    mov  $n_secs, %si
    jmp  report

irq0:
    push %ax
    incw TICKS
    mov  $0x20, %al; outb %al, $0x20
    pop  %ax
    iret

irq4:
    push %ax
    push %dx
    mov  $0x3FA, %dx; inb %dx, %al
    xor  %ah, %ah
    mov  %ax, THRE_IIR
    mov  $0x3F9, %dx; xor %al, %al; outb %al, %dx      /* IER off */
    mov  $0x20, %al; outb %al, $0x20
    pop  %dx
    pop  %ax
    iret

irq8:
    push %ax
    mov  $0x0C, %al; outb %al, $0x70; inb $0x71, %al
    test $0x10, %al
    jz   1f
    incw UPDATES
1:  mov  $0x20, %al; outb %al, $0xA0; outb %al, $0x20
    pop  %ax
    iret

/* AL = 1 for PASS; SI = the check's name in this segment. */
report:
    push %si
    mov  $s_pass, %si
    test %al, %al
    jnz  1f
    incw FAILS
    mov  $s_fail, %si
1:  call print
    pop  %si
    call print
    mov  $'\n', %al
    outb %al, $0xE9
    ret

print:
    cs lodsb
    test %al, %al
    jz   1f
    outb %al, $0xE9
    jmp  print
1:  ret

finish:
    mov  $s_done, %si
    call print
    mov  $0x10, %al
    cmpw $0, FAILS
    je   1f
    mov  $0x11, %al
1:  outb %al, $0xF4
    cli
2:  hlt
    jmp  2b

    .section .rodata
s_pass:  .asciz "PASS "
s_fail:  .asciz "FAIL "
s_done:  .asciz "DONE\n"
n_reset: .asciz "rom_reset_vector_runs"
n_deliv: .asciz "rom_pic_irq0_reaches_cpu"
n_thre:  .asciz "rom_uart_thre_interrupt_iir_02"
n_ticks: .asciz "rom_pit_irq0_20_ticks_none_while_if_clear"
n_rate:  .asciz "rom_pit_100hz_between_rtc_updates"
n_secs:  .asciz "rom_rtc_seconds_advance"

    .section .reset, "ax"
    ljmp $0xF000, $rom_start
    .fill 11, 1, 0

    .section .note.GNU-stack, "", @progbits
